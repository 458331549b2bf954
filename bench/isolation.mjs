// What isolating invocations costs in Lambda's one-at-a-time mode: the deadline kept in the
// runtime's store (a plain variable, free, but work left behind by one invocation finds the next
// one's deadline) against an AsyncLocalStorage of our own (isolated; on Node 22 an enabled one
// taxes every promise of the process). Two handlers: a trivial one, and one that awaits 100 async
// calls (200 promises), where a per-promise tax shows. Fresh process per figure, rounds interleaved.
// Usage: node bench/isolation.mjs [--rounds=5] [--node=22,24]
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { NODES } from './lib/packages.mjs'
import { nodeMajors, option, save, table } from './lib/report.mjs'
import { median } from './lib/stats.mjs'

const child = fileURLToPath(new URL('./isolation-child.mjs', import.meta.url))
const rounds = Number(option('rounds', 5))
const VARIANTS = [
  ['bare', 'runtime'],
  ['bare+als', 'runtime'],
  ['deadline', 'runtime'],
  ['deadline', 'own'],
]
const HANDLERS = ['trivial', 'promises']

const samples = {}
for (const major of nodeMajors()) {
  for (let round = 0; round < rounds; round++) {
    for (const handler of HANDLERS) {
      for (const [chain, store] of VARIANTS) {
        const key = `${major}|${handler}|${chain}|${store}`
        samples[key] ??= []
        samples[key].push(runChild(NODES[major], child, [chain, handler, store, '300', '200']))
        process.stderr.write('.')
      }
    }
  }
}
process.stderr.write('\n')

const summary = []
for (const major of nodeMajors()) {
  for (const handler of HANDLERS) {
    // CPU time: on a shared machine the wall clock also counts other processes' turns.
    const at = (chain, store, field = 'cpuMedianNs') => median(samples[`${major}|${handler}|${chain}|${store}`].map((r) => r[field]))
    const bare = at('bare', 'runtime')
    const runtime = at('deadline', 'runtime')
    const own = at('deadline', 'own')
    const runs = samples[`${major}|${handler}|deadline|own`]
    summary.push({
      node: runs[0].node,
      asyncContextFrame: runs[0].asyncContextFrame,
      handler,
      bareNs: bare,
      bareWithAlsNs: at('bare+als', 'runtime'),
      runtimeStoreNs: runtime,
      ownStorageNs: own,
      isolationCostNs: own - runtime,
      wall: Object.fromEntries(VARIANTS.map(([c, st]) => [`${c}|${st}`, at(c, st, 'medianNs')])),
      checks: {
        runtimeModeUsedRuntimeStore: samples[`${major}|${handler}|deadline|runtime`].every(
          (r) => r.deadlineInRuntimeStore && !r.ownStorageCreated,
        ),
        ownModeUsedOwnStorage: runs.every((r) => r.ownStorageCreated && !r.deadlineInRuntimeStore),
      },
      rounds: Object.fromEntries(
        VARIANTS.map(([c, st]) => [`${c}|${st}`, samples[`${major}|${handler}|${c}|${st}`].map((r) => r.cpuMedianNs)]),
      ),
    })
  }
}
save('isolation', { rounds, summary })

const us = (ns) => (ns / 1000).toFixed(2)
console.log(
  table(
    [
      'Node',
      'handler',
      'bare Middy',
      'bare Middy, an ALS enabled',
      'deadline, runtime store',
      'deadline, own ALS',
      'own ALS − runtime store',
    ],
    summary.map((s) => [
      `${s.node}${s.asyncContextFrame ? ' (AsyncContextFrame)' : ''}`,
      s.handler,
      us(s.bareNs),
      us(s.bareWithAlsNs),
      us(s.runtimeStoreNs),
      us(s.ownStorageNs),
      `${s.isolationCostNs >= 0 ? '+' : ''}${us(s.isolationCostNs)}`,
    ]),
  ),
)
console.log(
  `\nµs of CPU time (the process's) per invocation, medians of ${rounds} fresh processes (each up to 300 × 200 sequential invocations, time-boxed to 1 s). Wall-clock medians: bench/.out/isolation.json.`,
)
for (const s of summary)
  if (!s.checks.runtimeModeUsedRuntimeStore || !s.checks.ownModeUsedOwnStorage) console.log('CHECK FAILED', s.node, s.handler, s.checks)
