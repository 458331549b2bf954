// Experiment behind proposal 1 of docs/performance.md: what the InvocationEndedError that
// `Deadline.end()` aborts the signal with costs, because an Error captures a stack trace (2.5-4 µs).
// Copies packages/deadline/dist to bench/.out/deadline-patched/, builds that reason there with
// Error.stackTraceLimit = 0 (the package itself is untouched) and measures both builds, a fresh
// process each, 3 rounds.
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
// The reason's stack says nothing (it is always end() called from Middy's chain): skip it.
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
