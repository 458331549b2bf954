#!/usr/bin/env bash
# `npm run coverage`: the unit + integration suites on Node 22 and Node 24 with coverage (the code
# the tests' child processes and worker threads run included), merged into one report (coverage/)
# and checked against the gate in scripts/coverage.mjs. scripts/test.sh collects the same during
# its own runs and checks the same gate. Arguments go to vitest (a filter makes the gate meaningless:
# the report is still written, read it as partial).
set -uo pipefail
cd "$(dirname "$0")/.."
[ -x .tools/bin/node22 ] || { echo "run 'npm run setup' first" >&2; exit 1; }
status=0
for major in 22 24; do
  echo "=== unit + integration with coverage, Node $major"
  COVERAGE_DIR=coverage/node$major .tools/bin/node$major node_modules/vitest/vitest.mjs run --coverage "$@" || status=1
done
.tools/bin/node22 scripts/coverage.mjs coverage/node22 coverage/node24 || status=1
exit $status
