// Experiment behind a proposal in docs/performance.md: what `Deadline.end()` costs because it builds
// an InvocationEndedError (a stack trace, ~2-3 µs) on every invocation, even with nobody to tell.
// Copies packages/deadline/dist to bench/.out/deadline-patched/, applies the proposed change there
// (the package itself is untouched) and measures both builds, fresh process each, 3 rounds.
// Usage: node bench/experiment-deadline-end.mjs [--node=22,24]
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { NODES, ROOT } from './lib/packages.mjs'
import { nodeMajors, save, table } from './lib/report.mjs'
import { median } from './lib/stats.mjs'

const patched = `${ROOT}bench/.out/deadline-patched`
cpSync(`${ROOT}packages/deadline/dist`, patched, { recursive: true })
const file = `${patched}/deadline.js`
let source = readFileSync(file, 'utf8')
const replace = (from, to) => {
  if (!source.includes(from)) throw new Error(`packages/deadline/dist/deadline.js changed; update the experiment: ${from}`)
  source = source.replace(from, to)
}
// 1. Build the end reason only when a signal or a scope is there to receive it.
replace('this.#abortChildren(ended());', 'if (this.#children !== undefined) this.#abortChildren(ended());')
// 2. The reason's stack says nothing (it is always end() called from Middy's chain): skip it.
replace(
  "const ended = () => new InvocationEndedError('the invocation has ended');",
  "const ended = () => { const limit = Error.stackTraceLimit; Error.stackTraceLimit = 0; try { return new InvocationEndedError('the invocation has ended'); } finally { Error.stackTraceLimit = limit; } };",
)
writeFileSync(file, source)

const child = fileURLToPath(new URL('./overhead-child.mjs', import.meta.url))
const builds = { 'as is': undefined, patched: `${patched}/index.js` }
const configs = ['middy-bare', 'deadline', 'deadline+signal']
const rows = []
for (const major of nodeMajors()) {
  for (const store of ['als', 'invoke-store']) {
    const medians = {}
    for (let round = 0; round < 3; round++)
      for (const [build, dist] of Object.entries(builds))
        for (const config of configs) {
          const env = dist === undefined ? {} : { BENCH_DEADLINE_DIST: dist }
          Object.assign(process.env, env)
          const result = runChild(NODES[major], child, [config, store, '300', '200'])
          delete process.env.BENCH_DEADLINE_DIST
          const key = `${build}|${config}`
          medians[key] ??= []
          medians[key].push(result.medianNs)
        }
    const bare = median(medians['as is|middy-bare'])
    for (const build of Object.keys(builds))
      for (const config of configs.slice(1)) {
        const value = median(medians[`${build}|${config}`])
        rows.push({ node: major, store, build, config, medianNs: value, addedNs: value - bare })
      }
  }
}
save('experiment-deadline-end', { rows })
console.log(
  table(
    ['node', 'store', 'deadline build', 'chain', 'median µs/inv', 'added over bare µs'],
    rows.map((r) => [r.node, r.store, r.build, r.config, (r.medianNs / 1000).toFixed(2), (r.addedNs / 1000).toFixed(2)]),
  ),
)
