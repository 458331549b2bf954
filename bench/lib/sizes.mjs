import { existsSync } from 'node:fs'
import { bundleSize, PEERS } from './bundle.mjs'
import { OURS, srcEntry } from './packages.mjs'

/**
 * Targets in bytes minified + gzipped, missed today (see docs/performance.md), reported in every
 * table: issue 7's per package and together; issue 16's for the README's handler without
 * @middy/core, no larger than Powertools Logger with its middleware in our bench (7.6 KB).
 */
export const TARGET = { perPackage: 1536, allTogether: 3072, readmeHandler: 7808 }

/**
 * What CI enforces while the targets are out of reach (issue 16: the sizes reached plus 10 %), so
 * that growth is a decision and not an accident. Set again on 2026-12-02 at 15:50 UTC from main at
 * 57b4d77 with the top-level calls marked pure (deadline 5634 B, the largest package; all 19038 B;
 * README handler 17546 B), each plus 10 %: higher than the budget of 03:50 UTC (5889 / 20671 /
 * 19092 B), because what landed in between (the cutoff by its time, the fixes mutation testing
 * found) had brought deadline within 5 % of it (docs/performance.md, "Bundle size"). Lower it as
 * the packages shrink; raise it only with a line in docs/performance.md saying why.
 */
export const BUDGET = { perPackage: 6198, allTogether: 20942, readmeHandler: 19301 }

/** Subpath entries measured on their own: [package, subpath]. */
const SUBPATHS = [['graceful-timeout', 'watchdog']]

const hasSource = (name) => existsSync(srcEntry(name))
const exportAll = (names) => names.map((name) => `export * from '@middy-deadline/${name}'`).join('\n')
const DEADLINE = '@middy-deadline/deadline'

/**
 * The README's handler, composed as the README composes it (bench/functions/readme-four.ts): what a
 * user who uses all four actually ships. The bytes target of issue 16 is this, without @middy/core.
 */
export const HANDLER_ALL_FOUR = `export { handler } from './bench/functions/readme-four.ts'`

/**
 * Every size row. `budget` marks the rows the budget applies to: each package's whole public API
 * (`export *`) on its own bytes (the shared deadline and the peers left out), and all packages'
 * whole APIs bundled together.
 */
export async function measureSizes(available = OURS.filter(hasSource)) {
  const rows = []
  const add = async (name, contents, external, budget, target) =>
    rows.push({ name, budget, target, ...strip(await bundleSize(contents, { external })) })
  for (const name of available) {
    const external = name === 'deadline' ? PEERS : [...PEERS, DEADLINE]
    await add(`${name} (whole API, own bytes)`, exportAll([name]), external, BUDGET.perPackage, TARGET.perPackage)
  }
  for (const name of available.filter((n) => n !== 'deadline'))
    await add(`${name} (middleware only, with deadline)`, `export { ${camel(name)} } from '@middy-deadline/${name}'`, PEERS)
  // Opt-in subpaths that carry real weight, so that moving code out of a main entry stays visible.
  for (const [name, subpath] of SUBPATHS.filter(([n]) => available.includes(n)))
    await add(`${name}/${subpath} (subpath, own bytes)`, `export * from './packages/${name}/src/${subpath}.ts'`, [...PEERS, DEADLINE])
  if (available.length === OURS.length) {
    await add('all packages (whole APIs, together)', exportAll(OURS), PEERS, BUDGET.allTogether, TARGET.allTogether)
    await add('handler using all four (README), without @middy/core', HANDLER_ALL_FOUR, PEERS, BUDGET.readmeHandler, TARGET.readmeHandler)
    await add('handler using all four (README), with @middy/core', HANDLER_ALL_FOUR, [])
  }
  await add('@middy/core (early timeout built in)', `export * from '@middy/core'`, [])
  await add(
    '@dazn/lambda-powertools-middleware-log-timeout',
    `export { default } from '@dazn/lambda-powertools-middleware-log-timeout'`,
    [],
  )
  await add(
    'Powertools Logger + injectLambdaContext',
    `export { Logger } from '@aws-lambda-powertools/logger'\nexport { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'`,
    [],
  )
  return rows
}

const strip = ({ minBytes, gzipBytes }) => ({ minBytes, gzipBytes })
const camel = (name) => name.replace(/-(\w)/g, (_, c) => c.toUpperCase())
