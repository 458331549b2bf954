#!/usr/bin/env bash
# One command on a fresh machine that has only Node 20 and npm: fetches pnpm and the two Node
# versions Lambda runs (22 and 24) from the npm registry into .tools/, installs the workspace
# and builds every package.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh

tools="$PWD/.tools"
mkdir -p "$tools/bin"
platform=$(node -p 'process.platform + "-" + process.arch')

install_into() { # dir, package spec
  if [ ! -f "$1/.installed-$2" ]; then
    rm -rf "$1"; mkdir -p "$1"
    npm install --prefix "$1" --no-save --no-audit --no-fund --loglevel=error "$2" >/dev/null
    touch "$1/.installed-$2"
  fi
}

for major in 22 24; do
  version_var="NODE_${major}_VERSION"
  install_into "$tools/node$major" "node-$platform@${!version_var}"
  ln -sf "$tools/node$major/node_modules/node-$platform/bin/node" "$tools/bin/node$major"
done
install_into "$tools/pnpm" "pnpm@$PNPM_VERSION"

# pnpm and every install script (native addons included) run on Node 22, the oldest target.
mkdir -p "$tools/path22"
ln -sf "$tools/bin/node22" "$tools/path22/node"
export PATH="$tools/path22:$PATH"
pnpm() { node "$tools/pnpm/node_modules/pnpm/bin/pnpm.cjs" "$@"; }

# The HTML report's test opens the report in a real browser: Debian's Chromium, driven by
# playwright-core (no browser download). CI runs as root on a fresh Debian machine.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian's chromium for the HTML report's browser test"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: /usr/bin/chromium is missing and cannot be installed without root (apt-get install chromium): the HTML report's browser test will fail" >&2
  fi
fi

pnpm install --frozen-lockfile --reporter=append-only
pnpm run build
echo "setup done: Node $("$tools/bin/node22" -v) and $("$tools/bin/node24" -v), pnpm $(pnpm -v)"
