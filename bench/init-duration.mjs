// What our four add to a cold start under the real runtime client: the Init Duration of the REPORT
// line (from the process's start to the runtime's first request for an invocation, as Lambda
// bills it) of the README's handler, bundled as a function is deployed, minus the same handler
// without our four. Runs under the project's Runtime API emulator (test/e2e/harness), pairs
// interleaved (one cold start of each, again and again), Node 22 and 24. Beside it, the CPU time the
// runtime's threads had run by then (Linux schedstat): it grows far less with the machine's load.
// Usage: node bench/init-duration.mjs [--pairs=25] [--node=22,24]
import { build } from 'esbuild'
import { NODES, ROOT } from './lib/packages.mjs'
import { nodeMajors, option, save, table } from './lib/report.mjs'
import { median, percentile } from './lib/stats.mjs'

const pairs = Number(option('pairs', 25))
// The harness is TypeScript with .js import paths: bundled here, as the e2e tests' fixtures are.
const harnessFile = `${ROOT}bench/.out/init-duration/harness.mjs`
await build({
  entryPoints: [`${ROOT}test/e2e/harness/index.ts`],
  outfile: harnessFile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  logLevel: 'warning',
})
const { bundleFunction, startFunction } = await import(harnessFile)

const FUNCTIONS = { four: 'bench/functions/readme-four.ts', bare: 'bench/functions/readme-bare.ts' }
const bundles = {}
for (const [name, entry] of Object.entries(FUNCTIONS))
  bundles[name] = await bundleFunction(`${ROOT}${entry}`, { outdir: `${ROOT}bench/.out/init-duration/${name}` })

/**
 * One cold start: a fresh runtime process, one invocation, its REPORT line's Init Duration, and the
 * CPU time the runtime's threads had run by then (the JavaScript thread, and all of them).
 */
async function coldStart(bundle, node) {
  const fn = await startFunction({ bundle, node, platformLines: 'text', timeoutMs: 10_000 })
  try {
    const result = await fn.invoke({})
    if (result.status !== 'ok') throw new Error(`the function failed: ${JSON.stringify(result.error)}`)
    const report = result.logs.find((line) => line.startsWith('REPORT '))
    const initMs = Number(/Init Duration: ([\d.]+) ms/.exec(report ?? '')?.[1])
    if (!Number.isFinite(initMs)) throw new Error(`no Init Duration in: ${report}`)
    return { initMs, mainCpuMs: result.initCpu?.mainRunMs ?? Number.NaN, cpuMs: result.initCpu?.runMs ?? Number.NaN }
  } finally {
    await fn.stop()
  }
}

const FIGURES = ['initMs', 'mainCpuMs', 'cpuMs']
const summary = []
for (const major of nodeMajors()) {
  const runs = { four: [], bare: [] }
  for (let i = 0; i < pairs; i++) {
    // Alternate which goes first, so that neither always follows the other.
    const order = i % 2 === 0 ? ['four', 'bare'] : ['bare', 'four']
    for (const name of order) runs[name].push(await coldStart(bundles[name], NODES[major]))
  }
  for (const figure of FIGURES) {
    const added = runs.four.map((run, i) => run[figure] - runs.bare[i][figure])
    summary.push({
      node: major,
      figure,
      pairs,
      bareMs: median(runs.bare.map((run) => run[figure])),
      fourMs: median(runs.four.map((run) => run[figure])),
      addedMs: median(added),
      addedP25Ms: percentile(added, 25),
      addedP75Ms: percentile(added, 75),
    })
  }
}
save('init-duration', { summary })
const ms = (v) => v.toFixed(2)
console.log(`\n### Init Duration under the runtime client (${pairs} cold starts of each, interleaved)\n`)
const LABELS = {
  initMs: 'Init Duration (REPORT line)',
  mainCpuMs: 'CPU time of the JavaScript thread by then',
  cpuMs: 'CPU time of all its threads by then',
}
console.log(
  table(
    ['node', 'figure', 'README handler without our four, ms', 'with all four, ms', 'added by the four, median of pairs (p25–p75), ms'],
    summary.map((r) => [
      r.node,
      LABELS[r.figure],
      ms(r.bareMs),
      ms(r.fourMs),
      `${ms(r.addedMs)} (${ms(r.addedP25Ms)}–${ms(r.addedP75Ms)})`,
    ]),
  ),
)
