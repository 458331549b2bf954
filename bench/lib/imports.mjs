import { mkdirSync, writeFileSync } from 'node:fs'
import { bundleSize, PEERS } from './bundle.mjs'
import { distEntry, FOUR, isBuilt, OURS, ROOT } from './packages.mjs'

/**
 * The floor of any import: a built-in module that nothing measured here imports. What a target
 * costs "over the floor" is its time minus the floor's, run by run (interleaved), in the same mode.
 */
export const FLOOR = '(floor: import of node:path)'
export const FLOOR_AFTER_CORE = `${FLOOR}, after @middy/core`
export const CORE_BUNDLE = '@middy/core, bundled'
export const FOUR_BUNDLED = 'all four (+ deadline), bundled'

const exportAll = (names) => names.map((name) => `export * from '@middy-deadline/${name}'`).join('\n')

/**
 * Our packages as npm ships them: each main entry (dist, one module per entry, importing
 * `@middy-deadline/deadline/internal` by its package name) and all four together, each imported
 * after @middy/core (which a Middy handler imports first). Each target: what it loads, in order.
 */
export function publishedTargets() {
  const targets = {
    [FLOOR_AFTER_CORE]: { specifiers: ['node:path'], afterCore: true },
    '(a one-line module), after @middy/core': { specifiers: [`${ROOT}bench/lib/floor.mjs`], afterCore: true },
  }
  for (const name of OURS.filter(isBuilt)) targets[`${name}, published`] = { specifiers: [distEntry(name)], afterCore: true }
  if (FOUR.every(isBuilt)) targets['all four (+ deadline), published'] = { specifiers: FOUR.map(distEntry), afterCore: true }
  return targets
}

const BUNDLES = {
  [CORE_BUNDLE]: { contents: `export * from '@middy/core'`, external: [] },
  [FOUR_BUNDLED]: { contents: exportAll(FOUR), external: PEERS },
  ...Object.fromEntries(OURS.map((name) => [`${name}, bundled`, { contents: exportAll([name]), external: PEERS }])),
  '@dazn/…-middleware-log-timeout, bundled': {
    contents: `export { default } from '@dazn/lambda-powertools-middleware-log-timeout'`,
    external: [],
    commonJs: true,
  },
  'Powertools Logger + middleware, bundled': {
    contents: `export { Logger } from '@aws-lambda-powertools/logger'\nexport { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'`,
    external: [],
  },
}

/**
 * What a user who bundles their function loads (esbuild, minified, one file each, from our
 * sources; nothing loaded before it): our four with the shared deadline, each package alone, and
 * beside them @middy/core's own bundle and the alternatives'. Written to bench/.out/import/.
 */
export async function bundledTargets(names = Object.keys(BUNDLES)) {
  const dir = `${ROOT}bench/.out/import`
  mkdirSync(dir, { recursive: true })
  const targets = { [FLOOR]: { specifiers: ['node:path'], afterCore: false } }
  for (const name of names) {
    const { contents, external, commonJs } = BUNDLES[name]
    const { code } = await bundleSize(contents, { external })
    const file = `${dir}/${name.replace(/[^a-z0-9-]+/gi, '_')}.mjs`
    // A CommonJS package bundled as ESM still calls require() for Node's built-ins: the banner
    // users add for it, only where needed (it imports node:module itself).
    const banner = commonJs ? `import{createRequire}from'node:module';const require=createRequire(import.meta.url);\n` : ''
    writeFileSync(file, banner + Buffer.from(code).toString())
    targets[name] = { specifiers: [file], afterCore: false }
  }
  return targets
}

/**
 * CI's import-time check (bench/import-smoke.mjs): CPU time of importing our four bundled ÷ that of
 * @middy/core's bundle, Node 22, as measured when this was set (2026-12-02, after the hardening work
 * added the callback guard, the describer, the bounded JSON line and URL scrubbing, about 2 KB min+gz:
 * 3.07 in a clean-clone CI run and 3.13–3.33 over four runs on an idle machine at 2782379; before it,
 * 1.8–3.0 at a load average of 13–15; see docs/performance.md), and the regression that fails CI. Lower `measured` as imports get cheaper;
 * raise it only with a line in docs/performance.md saying why.
 */
export const IMPORT_RATIO = { measured: 3.2, regression: 0.5 }
