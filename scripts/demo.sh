#!/usr/bin/env bash
# `npm run demo`: the example functions of docs/examples under the real Lambda runtime client
# (aws-lambda-ric), each without and with our middlewares, and a side-by-side report.
# Runs on this machine after `npm run setup`; no AWS account involved.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .tools/bin/node22 ] || { echo "run 'npm run setup' first" >&2; exit 1; }

node_modules/esbuild/bin/esbuild test/e2e/demo.ts --bundle --platform=node --format=esm --target=node22 \
  --packages=external --outfile=test/e2e/.build/demo.mjs --log-level=warning
E2E_NODE=.tools/bin/node22 exec .tools/bin/node22 test/e2e/.build/demo.mjs "$@"
