// What the per-invocation building blocks cost on this machine: the figures behind the proposals in
// docs/performance.md. One process, each primitive in batches of 200, median of 300 batches.
// Usage: node bench/micro.mjs [--node=22,24]   (each Node version in a child process)
import { openSync, writeSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { InvokeStore } from '@aws/lambda-invoke-store'
import { Deadline, InvocationEndedError } from '../packages/deadline/dist/index.js'
import { createLambdaContext } from '../packages/testing/dist/index.js'
// Not exported by any entry: taken from the source (Node runs TypeScript without its types).
import { isoTimestamp } from '../packages/timing-logger/src/timestamp.ts'
import { runChild } from './lib/child.mjs'
import { NODES } from './lib/packages.mjs'
import { flag, nodeMajors, save, table } from './lib/report.mjs'
import { writeResult } from './lib/result.mjs'
import { median } from './lib/stats.mjs'

if (!flag('child')) {
  const results = nodeMajors().map((major) => runChild(NODES[major], fileURLToPath(import.meta.url), ['--child']))
  save('micro', { results })
  console.log('\n### building blocks (median ns per call)\n')
  console.log(
    table(
      ['operation', ...results.map((r) => `Node ${r.node}`)],
      results[0].rows.map(([name], i) => [name, ...results.map((r) => r.rows[i][1].toFixed(0))]),
    ),
  )
  process.exit(0)
}

function cost(fn) {
  const perCall = []
  for (let batch = 0; batch < 300; batch++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < 200; i++) fn(i)
    perCall.push(Number(process.hrtime.bigint() - start) / 200)
  }
  return median(perCall)
}

function withoutStack(make) {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return make()
  } finally {
    Error.stackTraceLimit = limit
  }
}

const store = await InvokeStore.getInstanceAsync()
const devNull = openSync('/dev/null', 'w')
const line = `${JSON.stringify({ message: 'x'.repeat(560) })}\n`
const key = Symbol('bench')
const lambdaContexts = Array.from({ length: 200 }, () => createLambdaContext({ timeoutMs: 60_000 }))
// A minute's start: 200 calls stay inside that minute, as the records of one minute do.
const minuteStart = Math.floor(Date.now() / 60_000) * 60_000
const rows = [
  ['performance.now()', () => performance.now()],
  ['Date.now()', () => Date.now()],
  ['new Date(ms).toISOString()', (i) => new Date(minuteStart + i).toISOString()],
  ["isoTimestamp(ms) (timing-logger's minute cache)", (i) => isoTimestamp(minuteStart + i)],
  ['new InvocationEndedError() (with stack)', () => new InvocationEndedError('the invocation has ended')],
  ['new InvocationEndedError() (stackTraceLimit 0)', () => withoutStack(() => new InvocationEndedError('the invocation has ended'))],
  ['new Deadline({ context }) + end()', (i) => new Deadline({ context: lambdaContexts[i] }).end()],
  [
    'new Deadline({ context }) + onEnd listener + end()',
    (i) => {
      const deadline = new Deadline({ context: lambdaContexts[i] })
      deadline.onEnd(() => {})
      deadline.end()
    },
  ],
  ['setTimeout + clearTimeout', () => clearTimeout(setTimeout(() => {}, 60_000))],
  ['new AbortController().signal', () => new AbortController().signal],
  ['AbortController + abort(reason)', () => new AbortController().abort(1)],
  ['Object.defineProperty on a context', () => Object.defineProperty({ a: 1 }, 'deadline', { value: 1, configurable: true })],
  [
    'plain property assignment',
    () => {
      const o = { a: 1 }
      o.deadline = 1
    },
  ],
  ['InvokeStore.set (single mode)', () => store.run({}, () => store.set(key, 1))],
  ['process.memoryUsage.rss()', () => process.memoryUsage.rss()],
  ['process.memoryUsage()', () => process.memoryUsage()],
  ['process.resourceUsage() (getrusage)', () => process.resourceUsage()],
  ['write of a 600-byte line to /dev/null (fs.writeSync)', () => writeSync(devNull, line)],
  [
    'JSON.stringify of a 20-field record',
    (i) =>
      JSON.stringify({
        i,
        a: 'x',
        b: 1.5,
        c: true,
        d: [1, 2],
        e: 'y',
        f: 2,
        g: 3,
        h: 4,
        j: 5,
        k: 6,
        l: 7,
        m: 8,
        n: 9,
        o: 10,
        p: 11,
        q: 12,
        r: 13,
        s: 14,
        t: 15,
      }),
  ],
]
writeResult({ node: process.version, rows: rows.map(([name, fn]) => [name, cost(fn)]) })
