// Memory and handles over a million invocations (one child process per run, GC before each sample),
// and overhead with 1,000 invocations in flight at once (bench/overhead.mjs --concurrent).
// Usage: node bench/scale.mjs [--invocations=1000000] [--node=22,24]
import { fileURLToPath } from 'node:url'
import { runChildAsync } from './lib/child.mjs'
import { availableConfigs } from './lib/configs.mjs'
import { NODES } from './lib/packages.mjs'
import { nodeMajors, option, save, table } from './lib/report.mjs'

const child = fileURLToPath(new URL('./scale-child.mjs', import.meta.url))
const invocations = option('invocations', '1000000')
const available = availableConfigs()
// The fullest chain of ours that is built, and bare Middy as the reference.
const ours = ['all-four+plugin', 'deadline+plugin'].find((name) => available.includes(name))
// Node 22 with Lambda's InvokeStore (what runs on Lambda) and with our ALS fallback; Node 24 with
// the fallback; bare Middy as the reference.
const runs = [
  ['22', 'middy-bare', 'als'],
  ['22', ours, 'invoke-store'],
  ['22', 'deadline+plugin', 'als'],
  ['24', ours, 'als'],
].filter(([major]) => nodeMajors().includes(major))

// Memory and handle counts do not suffer from sharing the CPU: two runs at a time.
const summary = []
let next = 0
const worker = async () => {
  for (let index = next++; index < runs.length; index = next++) {
    const [major, config, store] = runs[index]
    summary[index] = await runChildAsync(NODES[major], child, [config, store, invocations, '10'], ['--expose-gc'])
  }
}
await Promise.all([worker(), worker()])
save('scale', { summary })

const mb = (bytes) => (bytes / 2 ** 20).toFixed(2)
console.log(`\n### ${Number(invocations).toLocaleString('en')} sequential invocations per process (heap after a forced GC)\n`)
console.log(
  table(
    [
      'node',
      'chain',
      'store',
      'heap at 10% MB',
      'heap at end MB',
      'growth B/1k inv',
      'RSS at 10% / end MB',
      'max active handles',
      'µs/inv with context creation (2 runs share the CPU)',
    ],
    summary.map(({ node, config, store, total, samples }) => {
      const first = samples[1]
      const last = samples[samples.length - 1]
      const growth = ((last.heapUsedBytes - first.heapUsedBytes) / (last.invocations - first.invocations)) * 1000
      return [
        node,
        config,
        store,
        mb(first.heapUsedBytes),
        mb(last.heapUsedBytes),
        growth.toFixed(1),
        `${mb(first.rssBytes)} / ${mb(last.rssBytes)}`,
        Math.max(...samples.map((s) => s.activeResources)),
        ((last.elapsedMs * 1000) / total).toFixed(2),
      ]
    }),
  ),
)
