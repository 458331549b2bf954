// Several chains in one process, Lambda's invoke-store mode (no AsyncLocalStorage anywhere in the
// process), one batch of each in turn, so that a burst of load on the machine hits every chain
// alike; each chain's added time is taken batch by batch against bare Middy's batch of the same turn.
// Usage: node bench/overhead-paired-child.mjs <turns> <chain>...   (bench/overhead-paired.mjs runs it)
import { CONFIGS, makeApp } from './lib/configs.mjs'
import { contexts, invoker } from './lib/invoke.mjs'
import { writeResult } from './lib/result.mjs'
import { median, percentile } from './lib/stats.mjs'

const BATCH = 200
const WARM_UP_TURNS = 20
const [turnsArg, ...chains] = process.argv.slice(2)
const invokes = []
for (const chain of ['middy-bare', ...chains]) invokes.push(await invoker(await CONFIGS[chain].build(makeApp(false)), 'invoke-store'))
const perInvocationNs = invokes.map(() => [])
for (let turn = 0; turn < WARM_UP_TURNS + Number(turnsArg); turn++) {
  for (const [i, invoke] of invokes.entries()) {
    const batch = contexts(BATCH)
    const start = process.hrtime.bigint()
    for (const context of batch) await invoke(context)
    if (turn >= WARM_UP_TURNS) perInvocationNs[i].push(Number(process.hrtime.bigint() - start) / BATCH)
  }
}
const [bare, ...rest] = perInvocationNs
writeResult({
  node: process.version,
  bareNs: median(bare),
  chains: chains.map((chain, i) => {
    const added = rest[i].map((ns, turn) => ns - bare[turn])
    return { chain, addedNs: median(added), addedP25Ns: percentile(added, 25), addedP75Ns: percentile(added, 75) }
  }),
})
