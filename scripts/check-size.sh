#!/usr/bin/env bash
# CI's bundle-size budget (issue 7): bundles every package with esbuild (minified, gzipped, from the
# sources, so it needs no build and is deterministic) and fails if one package's whole public API
# is over 1.5 KB or all packages together are over 3 KB. Prints the full table either way.
set -euo pipefail
cd "$(dirname "$0")/.."
node=.tools/bin/node22
[ -x "$node" ] || node=node
exec "$node" bench/size.mjs --no-save
