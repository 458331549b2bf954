// Several chains in one process, Lambda's invoke-store mode (no AsyncLocalStorage anywhere in the
// process), one batch of each in turn, so that a burst of load on the machine hits every chain
// alike; each chain's added time is taken batch by batch against bare Middy's batch of the same turn.
// With another checkout (`against`), each chain is also built from its packages and measured beside
// this one's, the two swapping places every turn (measured first or second, identical code differed
// by ~0.15 µs): what a change costs per invocation, on a loaded machine.
// Usage: node bench/overhead-paired-child.mjs <turns> <against|-> <without-write 0|1> <chain>...
//   (bench/overhead-paired.mjs runs it)
import { CONFIGS, makeApp, packagesAt } from './lib/configs.mjs'
import { contexts, invoker } from './lib/invoke.mjs'
import { writeResult } from './lib/result.mjs'
import { median, percentile } from './lib/stats.mjs'

const BATCH = 200
const WARM_UP_TURNS = 20
const [turnsArg, against, withoutWrite, ...chains] = process.argv.slice(2)
// The record is still built and serialised; only the write, the same for every chain, is left out.
if (withoutWrite === '1') process.stdout.write = () => true
const theirs = against === '-' ? undefined : packagesAt(against)
const app = makeApp(false)
const entries = [await invoker(await CONFIGS['middy-bare'].build(app), 'invoke-store')]
for (const chain of chains) {
  entries.push(await invoker(await CONFIGS[chain].build(app), 'invoke-store'))
  if (theirs !== undefined) entries.push(await invoker(await CONFIGS[chain].build(app, theirs), 'invoke-store'))
}
const width = theirs === undefined ? 1 : 2
const perInvocationNs = entries.map(() => [])
for (let turn = 0; turn < WARM_UP_TURNS + Number(turnsArg); turn++) {
  for (let i = 0; i < entries.length; i++) {
    // Within a pair, the second goes first on odd turns.
    const index = width === 2 && i > 0 && turn % 2 === 1 ? (i % 2 === 1 ? i + 1 : i - 1) : i
    const batch = contexts(BATCH)
    const start = process.hrtime.bigint()
    for (const context of batch) await entries[index](context)
    if (turn >= WARM_UP_TURNS) perInvocationNs[index].push(Number(process.hrtime.bigint() - start) / BATCH)
  }
}
const [bare, ...rest] = perInvocationNs
const spread = (values) => ({ medianNs: median(values), p25Ns: percentile(values, 25), p75Ns: percentile(values, 75) })
const addedTo = (series) => series.map((ns, turn) => ns - bare[turn])
writeResult({
  node: process.version,
  bareNs: median(bare),
  chains: chains.map((chain, i) => {
    const mine = rest[i * width]
    const added = addedTo(mine)
    const row = { chain, addedNs: median(added), addedP25Ns: percentile(added, 25), addedP75Ns: percentile(added, 75) }
    if (width === 1) return row
    const other = rest[i * width + 1]
    return { ...row, against: spread(addedTo(other)), difference: spread(mine.map((ns, turn) => ns - other[turn])) }
  }),
})
