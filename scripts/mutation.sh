#!/usr/bin/env bash
# `npm run mutation [package...]`: Stryker over each package's src, one run per package (default:
# all), each incremental against test/mutation/<package>.json. Not part of CI: a full run takes
# hours on two cores (docs/testing-the-library.md). STRYKER_CONCURRENCY=2 runs two mutants at once.
set -uo pipefail
cd "$(dirname "$0")/.."
[ -x .tools/bin/node22 ] || { echo "run 'npm run setup' first" >&2; exit 1; }
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=($(ls packages))
status=0
for package in "${packages[@]}"; do
  echo "=== mutation testing: $package"
  MUTATE_PACKAGE=$package .tools/bin/node22 node_modules/@stryker-mutator/core/bin/stryker.js run stryker.config.mjs || status=1
done
exit $status
