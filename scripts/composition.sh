#!/usr/bin/env bash
# The composition matrix (docs/composition.md): every chain of our middlewares beside Middy's and
# Powertools' ones, on every path, held to the invariants or to the documented exceptions.
#
#   bash scripts/composition.sh          the sample CI runs: Node 22 and 24 with Middy 7, Node 22 with
#                                        Middy 6 (its core rows); the cells are fixed by a seed
#   bash scripts/composition.sh full     the full product, the same three runs (about 20 minutes)
#
# It runs on its own, not among the other suites: its cells wait for cutoffs tens of ms before a
# hard deadline, and a machine busy with other test files makes every timer late. MATRIX_SEED picks
# another sample, MATRIX_CELL='<part of a cell name>' runs matching cells (both: see the test file).
set -uo pipefail
cd "$(dirname "$0")/.."
[ -x .tools/bin/node22 ] || { echo "run 'npm run setup' first" >&2; exit 1; }
scope=${1:-sample}
case $scope in sample|full) ;; *) echo "usage: $0 [sample|full]" >&2; exit 2 ;; esac

vitest=node_modules/vitest/vitest.mjs
failed=()
run() { # label, command...
  local label=$1; shift
  echo; echo "=== composition matrix ($scope), $label"
  "$@" || failed+=("$label")
}
run "Node 22, Middy 7" env MATRIX=$scope .tools/bin/node22 $vitest run test/composition/matrix.test.ts
run "Node 24, Middy 7" env MATRIX=$scope .tools/bin/node24 $vitest run test/composition/matrix.test.ts
run "Node 22, Middy 6" env MATRIX=$scope MIDDY_MAJOR=6 .tools/bin/node22 $vitest run test/composition/matrix.test.ts

if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: composition matrix, %s\n' "${failed[@]}"
  exit 1
fi
