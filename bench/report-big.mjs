// The report on a big input, in one pass: how fast it reads and how much memory it holds.
//
//   node bench/report-big.mjs [--lines 1000000] [--json]
//
// Writes a synthetic log to a temporary file as `aws logs tail` prints it (three functions interleaved, four log streams
// each; per invocation START, our timing record, END, REPORT and one line of the function's own; a
// graceful timeout, a hard kill and malformed lines now and then) into the built report (packages/report/dist), never holding the input.
// Prints lines/s, peak RSS and heap, and how far the report's p50/p90/p99 are from the exact ones
// (kept aside in a Float64Array: 8 bytes per invocation, counted in the RSS). docs/report.md has
// the figures; a smaller run is a test (packages/report/test/big-input.test.ts).

import { once } from 'node:events'
import { createReadStream, createWriteStream, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildReport } from '../packages/report/dist/index.js'

const argv = process.argv.slice(2)
const arg = (name, fallback) => {
  const at = argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(argv[at + 1])
}
const totalLines = arg('lines', 1_000_000)
const json = argv.includes('--json')
const LINES_PER_INVOCATION = 5
const invocations = Math.floor(totalLines / LINES_PER_INVOCATION)
const functions = ['orders', 'billing', 'search']
const exact = functions.map(() => new Float64Array(Math.ceil(invocations / functions.length) + 1))
const counts = functions.map(() => 0)

let seed = 7
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
  return seed / 2 ** 31
}
const id = (n) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString().padStart(12, '0')}`

function* invocationLines(n) {
  const f = n % functions.length
  const requestId = id(n)
  // A log-normal duration around 150 ms with a long tail, capped by the 3 s timeout.
  const normal = Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random())
  const kill = n % 997 === 0
  const graceful = !kill && n % 499 === 0
  const durationMs = kill ? 3000 : graceful ? 2620 : Math.min(2400, Math.exp(5 + 0.7 * normal))
  exact[f][counts[f]++] = Math.round(durationMs * 100) / 100
  const at = new Date(Date.UTC(2026, 10, 30) + n * 20).toISOString()
  yield `START RequestId: ${requestId} Version: $LATEST`
  yield `${at}\t${requestId}\tINFO\tprocessing order ${n}`
  if (graceful || kill)
    yield JSON.stringify({
      level: 'ERROR',
      message: 'cutoff',
      package: '@middy-deadline/graceful-timeout',
      source: kill ? 'watchdog' : 'main',
      trigger: 'cutoff',
      requestId,
      budgetMs: 2999,
      reserveMs: 500,
      elapsedMs: 2500,
      remainingMs: 499,
      phase: 'handler',
      marks: [],
      timestamp: at,
    })
  else
    yield JSON.stringify({
      timestamp: at,
      level: 'INFO',
      message: 'invocation success',
      requestId,
      functionName: functions[f],
      functionVersion: '$LATEST',
      outcome: 'success',
      coldStart: n < 3,
      durationMs: durationMs - 1,
      budgetMs: 2999,
      remainingMs: 2999 - durationMs,
      timeoutUsedShare: durationMs / 3000,
      nearMiss: false,
      cutoffReached: false,
      timingSource: 'plugin',
      phases: [
        { name: 'timingLoggerBefore', startMs: 0, durationMs: 0.05 },
        { name: 'authBefore', startMs: 0.05, durationMs: 3.2 },
        { name: 'handler', startMs: 3.3, durationMs: durationMs - 5 },
        { name: 'timingLoggerAfter', startMs: durationMs - 1.5, durationMs: 0.04 },
      ],
      marks: [],
      outbound: {
        started: 2,
        ok: 2,
        error: 0,
        timeout: 0,
        aborted: 0,
        pending: 0,
        totalMs: durationMs * 0.7,
        slowest: [
          {
            kind: 'fetch',
            label: 'db.internal',
            method: 'POST',
            target: 'https://db.internal/query',
            durationMs: durationMs * 0.6,
            outcome: 'ok',
            status: 200,
          },
          { kind: 'aws-sdk', label: 'DynamoDB.GetItem', durationMs: durationMs * 0.1, outcome: 'ok' },
        ],
      },
      maxRssMB: 95.5,
      memoryLimitMB: 1024,
      memoryUsedShare: 0.09,
    })
  yield n % 50 === 0 ? '{"truncated": "json cut sho' : `END RequestId: ${requestId}`
  yield `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: 1024 MB\tMax Memory Used: ${90 + (n % 20)} MB\t${n < 3 ? 'Init Duration: 312.50 ms\t' : ''}${kill ? 'Status: timeout' : ''}`
}

async function* input() {
  let chunk = ''
  for (let n = 0; n < invocations; n++) {
    const stream = `2026/11/30/[$LATEST]${functions[n % functions.length]}${(n >> 2) % 4}0a1b2c3d`
    const at = new Date(Date.UTC(2026, 10, 30) + n * 20).toISOString().replace('Z', '000+00:00')
    for (const line of invocationLines(n)) chunk += `${at} ${stream} ${line}\n`
    if (chunk.length > 1 << 16) {
      yield chunk
      chunk = ''
    }
  }
  yield chunk
}

const file = join(tmpdir(), `report-big-${process.pid}.log`)
const out = createWriteStream(file)
for await (const chunk of input()) if (!out.write(chunk)) await once(out, 'drain')
out.end()
await once(out, 'finish')
const started = performance.now()
const report = await buildReport(createReadStream(file))
rmSync(file)
const seconds = (performance.now() - started) / 1000
const usage = process.resourceUsage()
const quantile = (values, q) => values[Math.max(1, Math.ceil(q * values.length)) - 1]
const accuracy = report.functions.map((fn) => {
  const f = functions.indexOf(fn.function)
  const values = exact[f].subarray(0, counts[f]).sort()
  const error = (q, got) => Math.abs(got - quantile(values, q)) / quantile(values, q)
  return {
    function: fn.function,
    invocations: fn.invocations,
    p50: error(0.5, fn.duration.p50),
    p90: error(0.9, fn.duration.p90),
    p99: error(0.99, fn.duration.p99),
    exact: fn.duration.exact,
  }
})
const result = {
  lines: report.input.lines,
  invocations: report.input.invocations,
  seconds: Math.round(seconds * 100) / 100,
  linesPerSecond: Math.round(report.input.lines / seconds),
  peakRssMB: Math.round(usage.maxRSS / 1024),
  heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  maxRelativeError: Math.max(...accuracy.flatMap((a) => [a.p50, a.p90, a.p99])),
  accuracy,
  skipped: report.input.skipped,
  outcomes: Object.fromEntries(report.functions.map((fn) => [fn.function, fn.outcomes])),
  node: process.version,
}
if (json) console.log(JSON.stringify(result))
else {
  console.log(
    `${result.lines} lines, ${result.invocations} invocations in ${result.seconds} s: ${result.linesPerSecond} lines/s on ${result.node}`,
  )
  console.log(`peak RSS ${result.peakRssMB} MB (heap in use at the end ${result.heapUsedMB} MB)`)
  for (const a of accuracy)
    console.log(
      `${a.function}: ${a.invocations} invocations; duration quantiles vs exact: p50 ${(a.p50 * 100).toFixed(3)} %, p90 ${(a.p90 * 100).toFixed(3)} %, p99 ${(a.p99 * 100).toFixed(3)} %`,
    )
  console.log(`skipped: ${JSON.stringify(result.skipped)}`)
}
