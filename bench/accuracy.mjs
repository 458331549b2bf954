// Cutoff accuracy: how late each subject's cutoff handling runs after its planned time, with an idle
// and a busy event loop, and with the loop blocked (graceful-timeout's watchdog), Node 22 and 24.
// Usage: node bench/accuracy.mjs [--count=250] [--node=22,24]
import { fileURLToPath } from 'node:url'
import { ACCURACY_SUBJECTS, subjectReady } from './lib/accuracy-subjects.mjs'
import { blockedRun } from './lib/blocked.mjs'
import { runChild } from './lib/child.mjs'
import { isBuilt, NODES } from './lib/packages.mjs'
import { nodeMajors, option, save, table } from './lib/report.mjs'

const child = fileURLToPath(new URL('./accuracy-child.mjs', import.meta.url))
const count = option('count', '250')
const subjects = Object.keys(ACCURACY_SUBJECTS).filter(subjectReady)

const summary = []
for (const major of nodeMajors())
  for (const subject of subjects) for (const loop of ['idle', 'busy']) summary.push(runChild(NODES[major], child, [subject, loop, count]))
const blocked = []
if (isBuilt('graceful-timeout'))
  for (const major of nodeMajors()) for (const mode of ['no-watchdog', 'watchdog']) blocked.push(await blockedRun(NODES[major], mode, 30))
save('accuracy', { summary, blocked })

const ms = (value) => value.toFixed(2)
console.log(`\n### cutoff lateness, ms after the planned time (negative: early); ${count} invocations each\n`)
console.log(
  table(
    ['node', 'subject', 'loop', 'min', 'p50', 'p90', 'p99', 'max'],
    summary.map((r) => [r.node, r.subject, r.loop, ms(r.minMs), ms(r.p50Ms), ms(r.p90Ms), ms(r.p99Ms), ms(r.maxMs)]),
  ),
)

if (blocked.length > 0) {
  console.log('\n### blocked loop: graceful-timeout, timeout 100 ms, reserve 50 ms, handler blocks the loop until 95 ms\n')
  console.log('First word of the cutoff on stdout, ms after the planned cutoff (stamped on arrival by the parent, ±1 ms):\n')
  console.log(
    table(
      ['node', 'mode', 'written by', 'min', 'p50', 'p99', 'max'],
      blocked.map((r) => [r.node, r.mode, r.sources.join(', '), r.minMs, r.p50Ms, r.p99Ms, r.maxMs]),
    ),
  )
}
