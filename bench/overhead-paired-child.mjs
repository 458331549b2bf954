// Several chains in one process, Lambda's invoke-store mode (no AsyncLocalStorage anywhere in the
// process), one batch of each in turn, so that a burst of load on the machine hits every chain
// alike; each chain's added time is taken batch by batch against bare Middy's batch of the same turn.
// With `--against=<checkout>`, each chain is also built from that checkout's packages (its bench and
// dist) and run in the same turns: `versus` is this checkout's batch minus that one's, turn by turn.
// With `--without-writes`, stdout's `write` takes each line and writes nothing: the lines are still
// built, but the system call, the same for both builds of a before/after and most of the noise on a
// loaded machine, is left out (the alternatives' lines too: Powertools writes through stdout's `write`).
// Usage: node bench/overhead-paired-child.mjs <turns> [--against=<checkout>] [--without-writes] <chain>...   (bench/overhead-paired.mjs runs it)
import { CONFIGS, makeApp } from './lib/configs.mjs'
import { contexts, invoker } from './lib/invoke.mjs'
import { writeResult } from './lib/result.mjs'
import { median, percentile } from './lib/stats.mjs'

const BATCH = 200
const WARM_UP_TURNS = 20
const [turnsArg, ...rest] = process.argv.slice(2)
const against = rest.find((arg) => arg.startsWith('--against='))?.slice('--against='.length)
const chains = rest.filter((arg) => !arg.startsWith('--'))
if (rest.includes('--without-writes')) process.stdout.write = () => true
const other = against === undefined ? undefined : (await import(`${against.replace(/\/$/, '')}/bench/lib/configs.mjs`)).CONFIGS
const invokes = [await invoker(await CONFIGS['middy-bare'].build(makeApp(false)), 'invoke-store')]
for (const chain of chains) {
  invokes.push(await invoker(await CONFIGS[chain].build(makeApp(false)), 'invoke-store'))
  if (other !== undefined) invokes.push(await invoker(await other[chain].build(makeApp(false)), 'invoke-store'))
}
const perInvocationNs = invokes.map(() => [])
for (let turn = 0; turn < WARM_UP_TURNS + Number(turnsArg); turn++) {
  for (const [i, invoke] of invokes.entries()) {
    const batch = contexts(BATCH)
    const start = process.hrtime.bigint()
    for (const context of batch) await invoke(context)
    if (turn >= WARM_UP_TURNS) perInvocationNs[i].push(Number(process.hrtime.bigint() - start) / BATCH)
  }
}
const [bare] = perInvocationNs
const step = other === undefined ? 1 : 2
const spread = (values) => ({ medianNs: median(values), p25Ns: percentile(values, 25), p75Ns: percentile(values, 75) })
writeResult({
  node: process.version,
  bareNs: median(bare),
  chains: chains.map((chain, i) => {
    const mine = perInvocationNs[1 + i * step]
    const added = mine.map((ns, turn) => ns - bare[turn])
    const result = { chain, addedNs: median(added), addedP25Ns: percentile(added, 25), addedP75Ns: percentile(added, 75) }
    if (other === undefined) return result
    const theirs = perInvocationNs[2 + i * step]
    return { ...result, versus: spread(mine.map((ns, turn) => ns - theirs[turn])) }
  }),
})
