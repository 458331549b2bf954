// Per-invocation cost of the chains issue 16 compares, measured so that the machine's load cancels
// out: all of them in one process per Node version, batch by batch in turn (see the child). The
// separate-process figures of bench/overhead.mjs stay the reference on a quiet machine; these hold
// on a loaded one. Usage: node bench/overhead-paired.mjs [--turns=200] [--node=22,24]
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { NODES } from './lib/packages.mjs'
import { nodeMajors, option, save, table } from './lib/report.mjs'

const CHAINS = ['dazn-log-timeout', 'graceful-timeout', 'powertools-logger, one line', 'timing-logger', 'readme chain']
const child = fileURLToPath(new URL('./overhead-paired-child.mjs', import.meta.url))
const turns = Number(option('turns', 200))
const results = nodeMajors().map((major) => runChild(NODES[major], child, [String(turns), ...CHAINS]))
save('overhead-paired', { turns, results })
const us = (ns) => (ns / 1000).toFixed(2)
console.log(`\n### Added µs per invocation over bare Middy, one process, ${turns} turns of 200 invocations, invoke-store\n`)
console.log(
  table(
    ['chain', ...results.map((r) => `Node ${r.node}: median (p25–p75)`)],
    CHAINS.map((chain, i) => [
      chain,
      ...results.map(({ chains: rows }) => `+${us(rows[i].addedNs)} (${us(rows[i].addedP25Ns)}–${us(rows[i].addedP75Ns)})`),
    ]),
  ),
)
console.log(`\nbare Middy: ${results.map((r) => `${us(r.bareNs)} µs (Node ${r.node})`).join(', ')}`)
