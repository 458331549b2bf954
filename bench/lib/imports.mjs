import { mkdirSync } from 'node:fs'
import { build } from 'esbuild'
import { PEERS } from './bundle.mjs'
import { distEntry, FOUR, isBuilt, OURS, ROOT } from './packages.mjs'

const ALL_FOUR = 'all four (+ deadline)'

/** What each import-time target loads: module specifiers or absolute paths, in order. */
export function importTargets() {
  const built = OURS.filter(isBuilt)
  const targets = {
    '(floor: a one-line module)': [`${ROOT}bench/lib/floor.mjs`],
    ...Object.fromEntries(built.map((name) => [name, [distEntry(name)]])),
  }
  if (FOUR.every(isBuilt)) targets[ALL_FOUR] = FOUR.map(distEntry)
  targets['@middy/core'] = ['@middy/core']
  targets['@dazn/…-middleware-log-timeout'] = ['@dazn/lambda-powertools-middleware-log-timeout']
  targets['Powertools Logger + middleware'] = ['@aws-lambda-powertools/logger', '@aws-lambda-powertools/logger/middleware']
  return targets
}

/**
 * The same packages bundled into one file each (esbuild, not minified, peers left out): what the
 * import time would be if a package shipped as a single module instead of one module per source
 * file. Written to bench/.out/single-file/.
 */
export async function singleFileTargets() {
  const dir = `${ROOT}bench/.out/single-file`
  mkdirSync(dir, { recursive: true })
  const entries = Object.fromEntries(OURS.filter(isBuilt).map((name) => [name, `export * from '${distEntry(name)}'`]))
  if (FOUR.every(isBuilt)) entries[ALL_FOUR] = FOUR.map((name) => `export * from '${distEntry(name)}'`).join('\n')
  const targets = {}
  for (const [name, contents] of Object.entries(entries)) {
    const outfile = `${dir}/${name.replace(/[^a-z-]+/g, '_')}.mjs`
    await build({
      stdin: { contents, resolveDir: ROOT, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      external: PEERS,
      outfile,
      logLevel: 'silent',
    })
    targets[`${name} (one file)`] = [outfile]
  }
  return targets
}
