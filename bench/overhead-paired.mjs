// Per-invocation cost of the chains issue 16 compares, measured so that the machine's load cancels
// out: all of them in one process per Node version, batch by batch in turn (see the child). The
// separate-process figures of bench/overhead.mjs stay the reference on a quiet machine; these hold
// on a loaded one. Before/after a change: `--against=<another checkout>` (built) runs each chain
// from both in the same turns and gives this checkout's time minus that one's. `--without-writes`
// leaves the write of the log lines out (see the child): for a before/after of other code, and to
// tell what the write costs from what building the line costs.
// Usage: node bench/overhead-paired.mjs [--turns=200] [--node=22,24] [--chains=a,b] [--against=<checkout>] [--without-writes]
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { NODES } from './lib/packages.mjs'
import { nodeMajors, option, save, table } from './lib/report.mjs'

const DEFAULT_CHAINS = ['dazn-log-timeout', 'graceful-timeout', 'powertools-logger, one line', 'timing-logger', 'readme chain']
// Chain names hold ', ' (`timing-logger, sampled out`): only a comma without a space after it separates.
const chains = option('chains', undefined)?.split(/,(?! )/) ?? DEFAULT_CHAINS
const against = option('against', undefined)
const child = fileURLToPath(new URL('./overhead-paired-child.mjs', import.meta.url))
const turns = Number(option('turns', 200))
const withoutWrites = process.argv.includes('--without-writes')
const args = [
  String(turns),
  ...(against === undefined ? [] : [`--against=${against}`]),
  ...(withoutWrites ? ['--without-writes'] : []),
  ...chains,
]
const results = nodeMajors().map((major) => runChild(NODES[major], child, args))
save('overhead-paired', { turns, against, withoutWrites, results })
const us = (ns) => (ns / 1000).toFixed(2)
const signed = (ns) => `${ns < 0 ? '' : '+'}${us(ns)}`
console.log(
  `\n### Added µs per invocation over bare Middy, one process, ${turns} turns of 200 invocations, invoke-store${withoutWrites ? ', log lines built but not written' : ''}\n`,
)
console.log(
  table(
    ['chain', ...results.map((r) => `Node ${r.node}: median (p25–p75)`)],
    chains.map((chain, i) => [
      chain,
      ...results.map(({ chains: rows }) => `+${us(rows[i].addedNs)} (${us(rows[i].addedP25Ns)}–${us(rows[i].addedP75Ns)})`),
    ]),
  ),
)
console.log(`\nbare Middy: ${results.map((r) => `${us(r.bareNs)} µs (Node ${r.node})`).join(', ')}`)
if (against !== undefined) {
  console.log(`\n### This checkout minus ${against}, µs per invocation, turn by turn\n`)
  console.log(
    table(
      ['chain', ...results.map((r) => `Node ${r.node}: median (p25–p75)`)],
      chains.map((chain, i) => [
        chain,
        ...results.map(({ chains: rows }) => {
          const { medianNs, p25Ns, p75Ns } = rows[i].versus
          return `${signed(medianNs)} (${signed(p25Ns)}–${signed(p75Ns)})`
        }),
      ]),
    ),
  )
}
