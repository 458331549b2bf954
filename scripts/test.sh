#!/usr/bin/env bash
# The test command (README, CI): every suite on Node 22 and Node 24 with Middy 7, again on Node 22
# with Middy 6, then the end-to-end suite under the real Lambda runtime client, then the composition
# matrix's sample (scripts/composition.sh).
# The two Middy 7 runs also collect coverage (child processes and worker threads included); with no
# arguments, the merged figures are checked against the gate at the end (scripts/coverage.mjs).
# Runs every step, then fails if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
[ -x .tools/bin/node22 ] || { echo "run 'npm run setup' first" >&2; exit 1; }

vitest=node_modules/vitest/vitest.mjs
failed=()

# Every test cleans up after itself: the runs below get a temp folder of their own (os.tmpdir()
# follows TMPDIR), which must be empty when they are done.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/middy-deadline-test.XXXXXX")
export TMPDIR=$tmp
trap 'rm -rf "$tmp"' EXIT
temp_folder_is_clean() {
  local left
  left=$(find "$tmp" -mindepth 1 -maxdepth 1)
  [ -z "$left" ] || { echo "left in the temp folder by the tests:"; echo "$left"; return 1; }
}
step() { # label, command...
  local label=$1; shift
  echo; echo "=== $label"
  "$@" || failed+=("$label")
}

# A filtered run covers only part of the code: no coverage, no gate.
gate=$(( $# == 0 ))
for major in 22 24; do
  run=(.tools/bin/node$major $vitest run)
  [ $gate = 1 ] && run=(env COVERAGE_DIR=coverage/node$major .tools/bin/node$major $vitest run --coverage)
  step "unit + integration, Node $major, Middy 7" "${run[@]}" "$@"
done
# Middy 6 has no durable execution mode: the suites built on it run with Middy 7 only.
step "unit + integration, Node 22, Middy 6" env MIDDY_MAJOR=6 .tools/bin/node22 $vitest run --exclude packages/remaining-time-budget/test/durable.test.ts --exclude test/docs/recipe-durable.test.ts "$@"
if [ -f test/e2e/vitest.config.ts ]; then
  for major in 22 24; do
    step "end-to-end under aws-lambda-ric, Node $major" env E2E_NODE=.tools/bin/node$major .tools/bin/node$major $vitest run --config test/e2e/vitest.config.ts "$@"
  done
fi
step "nothing left in the temp folder" temp_folder_is_clean
[ $gate = 1 ] && step "coverage gate, Node 22 + 24 merged" .tools/bin/node22 scripts/coverage.mjs coverage/node22 coverage/node24
# The composition matrix's sample, on its own (a filtered run skips it).
[ $gate = 1 ] && step "composition matrix (sample): Node 22 and 24 with Middy 7, Node 22 with Middy 6" bash scripts/composition.sh

echo
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "all test runs passed"
