// Cutoff accuracy: how late each subject's cutoff handling runs after its planned time, with an idle
// and a busy event loop, Node 22 and 24. Usage: node bench/accuracy.mjs [--count=300] [--node=22,24]
import { fileURLToPath } from 'node:url'
import { ACCURACY_SUBJECTS, subjectReady } from './lib/accuracy-subjects.mjs'
import { runChild } from './lib/child.mjs'
import { NODES } from './lib/packages.mjs'
import { nodeMajors, option, save, table } from './lib/report.mjs'

const child = fileURLToPath(new URL('./accuracy-child.mjs', import.meta.url))
const count = option('count', '300')
const subjects = Object.keys(ACCURACY_SUBJECTS).filter(subjectReady)

const summary = []
for (const major of nodeMajors())
  for (const subject of subjects) for (const loop of ['idle', 'busy']) summary.push(runChild(NODES[major], child, [subject, loop, count]))
save('accuracy', { summary })

const ms = (value) => value.toFixed(2)
console.log(`\n### cutoff lateness, ms after the planned time (negative: early); ${count} invocations each\n`)
console.log(
  table(
    ['node', 'subject', 'loop', 'min', 'p50', 'p90', 'p99', 'max'],
    summary.map((r) => [r.node, r.subject, r.loop, ms(r.minMs), ms(r.p50Ms), ms(r.p90Ms), ms(r.p99Ms), ms(r.maxMs)]),
  ),
)
