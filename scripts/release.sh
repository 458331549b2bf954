#!/usr/bin/env bash
# `npm run release`: everything a release does short of publishing. Builds every package from
# scratch, packs and checks the tarballs (scripts/packages.mjs: publint, @arethetypeswrong/cli, the
# install test with the lowest @middy/core 6 and 7), then hands each tarball to `npm publish
# --provenance --access public --dry-run`, dependencies first: what would be published, and how,
# without publishing anything. Versions and changelogs come before it from Changesets
# (`npx changeset`, then `npx changeset version`). The real publish is the same command without
# --dry-run, from CI, where npm can sign the provenance statement (it needs the CI's OIDC identity).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .tools/bin/node22 ] || { echo "run 'npm run setup' first" >&2; exit 1; }
export PATH="$PWD/.tools/path22:$PWD/node_modules/.bin:$PATH"

echo "=== clean build"
rm -rf packages/*/dist packages/*/tsconfig.tsbuildinfo
node .tools/pnpm/node_modules/pnpm/bin/pnpm.cjs run build

echo "=== pack and check"
node scripts/packages.mjs .release

echo "=== publish, dry run"
# @middy-deadline/deadline first: every other package depends on it.
for tarball in .release/middy-deadline-deadline-*.tgz $(ls .release/*.tgz | grep -v '/middy-deadline-deadline-'); do
  npm publish "$tarball" --provenance --access public --dry-run --loglevel=warn 2>&1 | grep -v '^npm notice [ 0-9.]*[kM]\?B ' || true
done
echo "release: dry run done; nothing was published"
