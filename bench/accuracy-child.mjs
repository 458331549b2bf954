// How late cutoff handling runs after its planned time, over many short invocations in one process.
// Usage: node bench/accuracy-child.mjs <deadline|graceful-timeout|middy-default> <idle|busy> <invocations>

import { ACCURACY_SUBJECTS } from './lib/accuracy-subjects.mjs'
import { writeResult } from './lib/result.mjs'
import { percentile } from './lib/stats.mjs'

const [subject, loop, countArg] = process.argv.slice(2)
const count = Number(countArg)
const TIMEOUT_MS = 20
const RESERVE_MS = 8

/** Epoch ms with sub-ms resolution: the context's clock, so the planned time is exact. */
const now = () => performance.timeOrigin + performance.now()

// Busy: the loop never idles; every turn runs ~1 ms of synchronous work (JSON, regexes, what a
// handler does), so a timer can only run between two such turns.
let generation = 0
function churn(mine) {
  if (mine !== generation) return
  const until = performance.now() + 1
  while (performance.now() < until) JSON.parse(JSON.stringify({ a: [1, 2, 3], b: 'x'.repeat(64) }))
  setImmediate(churn, mine)
}

const { createLambdaContext } = await import('../packages/testing/dist/index.js')
const run = await ACCURACY_SUBJECTS[subject]({ reserveMs: RESERVE_MS, now })
const lateMs = []
for (let i = 0; i < count; i++) {
  const context = createLambdaContext({ timeoutMs: TIMEOUT_MS, now })
  const plannedAt = now() + context.getRemainingTimeInMillis() - RESERVE_MS
  generation++
  if (loop === 'busy') setImmediate(churn, generation)
  const handledAt = await run(context)
  generation++
  lateMs.push(handledAt - plannedAt)
}
writeResult({
  subject,
  loop,
  node: process.version,
  count,
  timeoutMs: TIMEOUT_MS,
  reserveMs: RESERVE_MS,
  minMs: Math.min(...lateMs),
  p50Ms: percentile(lateMs, 50),
  p90Ms: percentile(lateMs, 90),
  p99Ms: percentile(lateMs, 99),
  maxMs: Math.max(...lateMs),
})
