#!/usr/bin/env bash
# CI's bundle-size check (issues 7 and 16): bundles every package with esbuild (minified, gzipped,
# from the sources, so it needs no build and is deterministic) and fails if a package's whole public
# API, all packages together or the README's handler grow past the regression budget (BUDGET in
# bench/lib/sizes.mjs: the sizes reached plus 10 %). Prints the full table either way, with the
# targets beside it (issue 7's 1.5 KB / 3 KB, issue 16's 7.6 KB for the README's handler; missed
# today: see docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
node=.tools/bin/node22
[ -x "$node" ] || node=node
exec "$node" bench/size.mjs --no-save
