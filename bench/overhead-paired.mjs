// Per-invocation cost of the chains issue 16 compares, measured so that the machine's load cancels
// out: all of them in one process per Node version, batch by batch in turn (see the child). The
// separate-process figures of bench/overhead.mjs stay the reference on a quiet machine; these hold
// on a loaded one. With --against=<checkout> (another worktree of the repository, built, e.g. at the
// commit before a change) every chain is measured at both, in the same process, and the table gives
// this checkout's cost minus that one's. --without-write leaves out the write of the log lines (the
// same for every chain, and most of the noise), not their building.
// Usage: node bench/overhead-paired.mjs [--turns=200] [--node=22,24] [--against=<dir>] [--without-write] [--chains=a,b]
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { NODES } from './lib/packages.mjs'
import { flag, nodeMajors, option, save, table } from './lib/report.mjs'

const ISSUE_16 = ['dazn-log-timeout', 'graceful-timeout', 'powertools-logger, one line', 'timing-logger', 'readme chain']
const chains = option('chains', '') === '' ? ISSUE_16 : option('chains', '').split(',')
const child = fileURLToPath(new URL('./overhead-paired-child.mjs', import.meta.url))
const turns = Number(option('turns', 200))
const againstOption = option('against', '')
const against = againstOption === '' ? undefined : resolve(againstOption)
const withoutWrite = flag('without-write')
const results = nodeMajors().map((major) =>
  runChild(NODES[major], child, [String(turns), against ?? '-', withoutWrite ? '1' : '0', ...chains]),
)
save(against === undefined ? 'overhead-paired' : 'overhead-paired-against', { turns, against, withoutWrite, results })
const us = (ns) => (ns / 1000).toFixed(2)
const signed = (ns) => `${ns < 0 ? '' : '+'}${us(ns)}`
const range = ({ medianNs, p25Ns, p75Ns }) => `${signed(medianNs)} (${us(p25Ns)}–${us(p75Ns)})`
const title = `${turns} turns of 200 invocations, invoke-store${withoutWrite ? ', lines built but not written' : ''}`
console.log(`\n### Added µs per invocation over bare Middy, one process, ${title}\n`)
const columns = results.flatMap((r) =>
  against === undefined
    ? [`Node ${r.node}: median (p25–p75)`]
    : [`Node ${r.node}: here`, `Node ${r.node}: against`, `Node ${r.node}: here − against`],
)
const cells = (row) => {
  const here = range({ medianNs: row.addedNs, p25Ns: row.addedP25Ns, p75Ns: row.addedP75Ns })
  return against === undefined ? [here] : [here, range(row.against), range(row.difference)]
}
console.log(
  table(
    ['chain', ...columns],
    chains.map((chain, i) => [chain, ...results.flatMap((r) => cells(r.chains[i]))]),
  ),
)
console.log(`\nbare Middy: ${results.map((r) => `${us(r.bareNs)} µs (Node ${r.node})`).join(', ')}`)
if (against !== undefined) console.log(`against: ${against}`)
