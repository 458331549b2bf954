#!/usr/bin/env bash
# `npm run bench`: builds the packages, then runs every benchmark of docs/performance.md on Node 22
# and 24 (a few minutes on a 2-core VM). Tables go to stdout and to bench/.out/results.md, raw
# figures to bench/.out/*.json. Run one part with e.g. `bash scripts/bench.sh overhead size`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .tools/bin/node22 ] || { echo "run 'npm run setup' first" >&2; exit 1; }
node=.tools/bin/node22
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(size cold-start init-duration micro overhead overhead-paired concurrent accuracy scale isolation)

# Build every package that compiles (declarations); a package that does not is left out of the tables.
for tsconfig in packages/*/tsconfig.json; do
  PATH="$PWD/.tools/path22:$PATH" node_modules/.bin/tsc -b "$tsconfig" || echo "build failed: $tsconfig (left out)" >&2
done
# tsc writes the declarations only; the JavaScript users run is bundled per package by esbuild.
$node scripts/build.mjs

mkdir -p bench/.out
out=bench/.out/results.md
{
  echo "# bench results, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- packages || echo ' + uncommitted changes in packages/')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Node $(.tools/bin/node22 -v) and $(.tools/bin/node24 -v)"
} >"$out"
for part in "${parts[@]}"; do
  echo; echo "=== $part"
  case $part in
    size) cmd=(bench/size.mjs) ;;
    cold-start) cmd=(bench/cold-start.mjs) ;;
    init-duration) cmd=(bench/init-duration.mjs) ;;
    overhead) cmd=(bench/overhead.mjs) ;;
    overhead-paired) cmd=(bench/overhead-paired.mjs) ;;
    concurrent) cmd=(bench/overhead.mjs --concurrent) ;;
    accuracy) cmd=(bench/accuracy.mjs) ;;
    scale) cmd=(bench/scale.mjs) ;;
    micro) cmd=(bench/micro.mjs) ;;
    isolation) cmd=(bench/isolation.mjs) ;;
    *) echo "unknown part: $part" >&2; exit 2 ;;
  esac
  # The size table reports an exceeded budget with exit 1; the bench still runs the other parts.
  { echo; echo "## $part (\`node ${cmd[*]}\`, load average $(cut -d' ' -f1 /proc/loadavg))"; "$node" "${cmd[@]}" || true; } | tee -a "$out"
done
$node bench/summary.mjs >bench/.out/summary.md
echo; echo "written: $out and bench/.out/summary.md (the tables of docs/performance.md)"
