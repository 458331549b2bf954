# Pinned toolchain: the Node versions match Lambda's nodejs22.x and nodejs24.x runtimes.
NODE_22_VERSION=22.23.3
NODE_24_VERSION=24.21.0
PNPM_VERSION=10.34.8
