// Per-invocation overhead of each chain over bare Middy, every configuration in a fresh process,
// interleaved in rounds so that drift of the machine spreads over all of them.
// Usage: node bench/overhead.mjs [--rounds=3] [--node=22,24] [--only=a,b] [--concurrent]
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { availableConfigs, CONFIGS } from './lib/configs.mjs'
import { NODES } from './lib/packages.mjs'
import { flag, nodeMajors, option, save, table } from './lib/report.mjs'
import { median } from './lib/stats.mjs'

const child = fileURLToPath(new URL('./overhead-child.mjs', import.meta.url))
const concurrent = flag('concurrent')
const rounds = Number(option('rounds', 3))
// Names are separated by commas; a comma followed by a space belongs to a name ("powertools-logger, one line").
const only = option('only', undefined)?.split(/,(?! )/)
// With 1,000 invocations in flight, the chains that matter: the baselines, the alternatives, ours whole.
const CONCURRENT = [
  'middy-bare',
  'middy-default',
  'dazn-log-timeout',
  'powertools-logger',
  'deadline',
  'graceful-timeout+plugin',
  'all-four',
  'all-four+plugin',
]
const configs = availableConfigs().filter(
  (name) => name === 'middy-bare' || ((only === undefined || only.includes(name)) && (!concurrent || CONCURRENT.includes(name))),
)
// Concurrent invocations run in Lambda's multi-concurrency mode, where its InvokeStore is an ALS.
const stores = concurrent ? ['als', 'invoke-store-multi'] : ['als', 'invoke-store']
// Sequential: 300 batches of 200 invocations (plus 60 warm-up batches). Concurrent: 10 batches of
// 1,000 invocations in flight at once (plus 5 warm-up batches).
const [batches, batchSize, shape] = concurrent ? [10, 1000, 'concurrent'] : [300, 200, 'sequential']

const samples = {}
for (const major of nodeMajors()) {
  for (let round = 0; round < rounds; round++) {
    for (const config of configs) {
      for (const store of stores) {
        const key = `${major}|${store}|${config}`
        samples[key] ??= []
        try {
          samples[key].push(runChild(NODES[major], child, [config, store, String(batches), String(batchSize), shape]))
          process.stderr.write('.')
        } catch (error) {
          process.stderr.write(`\n${error.message}\n`)
        }
      }
    }
  }
}
process.stderr.write('\n')

const summary = []
for (const major of nodeMajors()) {
  for (const store of stores) {
    const bare = median(samples[`${major}|${store}|middy-bare`].map((r) => r.medianNs))
    for (const config of configs) {
      const runs = samples[`${major}|${store}|${config}`]
      if (runs.length === 0) continue
      const medianNs = median(runs.map((r) => r.medianNs))
      summary.push({
        node: runs[0].node,
        store,
        config,
        group: CONFIGS[config].group,
        medianNs,
        p99Ns: median(runs.map((r) => r.p99Ns)),
        addedNs: medianNs - bare,
        ratio: medianNs / bare,
        roundMediansNs: runs.map((r) => r.medianNs),
        activeResourcesAfter: Math.max(...runs.map((r) => r.activeResourcesAfter)),
      })
    }
  }
}
save(concurrent ? 'overhead-concurrent' : 'overhead', { shape, rounds, batches, batchSize, summary })

const us = (ns) => (ns / 1000).toFixed(2)
for (const major of nodeMajors()) {
  for (const store of stores) {
    const rows = summary.filter((r) => r.node.startsWith(`v${major}.`) && r.store === store)
    console.log(`\n### ${shape}, Node ${rows[0].node}, store: ${store}\n`)
    console.log(
      table(
        ['chain', 'median µs/inv', 'added µs', 'ratio to bare', 'p99 µs/inv (batch)', 'round medians µs'],
        rows.map((r) => [
          r.config,
          us(r.medianNs),
          r.config === 'middy-bare' ? '—' : us(r.addedNs),
          `${r.ratio.toFixed(2)}×`,
          us(r.p99Ns),
          r.roundMediansNs.map(us).join(' / '),
        ]),
      ),
    )
  }
}
