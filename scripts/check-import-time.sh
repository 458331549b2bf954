#!/usr/bin/env bash
# CI's import-time smoke check (issue 16): our four bundled against @middy/core's own bundle, as a
# ratio measured in the same run on the same machine (never an absolute time); fails on a
# regression of more than 50 % (IMPORT_RATIO in bench/lib/imports.mjs). Well under a minute on
# a loaded 2-core VM (20–30 s at a load average of 13–15).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .tools/bin/node22 bench/import-smoke.mjs "$@"
