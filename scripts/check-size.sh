#!/usr/bin/env bash
# CI's bundle-size check (issue 7): bundles every package with esbuild (minified, gzipped, from the
# sources, so it needs no build and is deterministic) and fails if a package's whole public API or
# all packages together grow past the regression budget (BUDGET in bench/lib/sizes.mjs). Prints the
# full table either way, with issue 7's 1.5 KB / 3 KB targets beside it (missed today: see
# docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
node=.tools/bin/node22
[ -x "$node" ] || node=node
exec "$node" bench/size.mjs --no-save
