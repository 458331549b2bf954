/**
 * `npm run demo`: the example functions of docs/examples run under the real Lambda runtime client
 * (aws-lambda-ric) on this machine, each as most code is written today and with our middlewares,
 * and a side-by-side report of what Lambda would have done. No AWS account involved.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SQSBatchResponse } from 'aws-lambda'
import { sqsEvent } from './events.js'
import { bundleFunction, type InvokeResult, jsonRecords, linesWith, startFunction } from './harness/index.js'

const TIMEOUT_MS = 1000
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

type Row = [label: string, without: string, withMiddlewares: string]

interface Section {
  title: string
  source: string
  rows: Row[]
  /** A timing record to show in full after the table. */
  record?: Record<string, unknown> | undefined
}

async function main(): Promise<void> {
  console.log('middy-deadline demo: example functions under the real Lambda runtime client (aws-lambda-ric),')
  console.log(
    `on Node ${process.versions.node}, with a ${seconds(TIMEOUT_MS)} function timeout. Each runs as usually written, then with our middlewares.`,
  )
  const sections = [await slowDownstream(), await reportExport(false), await reportExport(true), await sqsOrders()]
  for (const [index, section] of sections.entries()) print(index + 1, section)
  const record = sections.find((section) => section.record !== undefined)?.record
  if (record !== undefined) {
    console.log('\nThe timing record of the settled export, as the log has it (one JSON line per invocation; phases shortened):')
    console.log(JSON.stringify(shorten(record), null, 1).replaceAll(/\n\s*/g, ' '))
  }
  console.log('\nThe harness behind this (and how to run your own functions under it): docs/testing.md, "Testing under the real runtime".')
}

// ---- 1. a downstream that never answers -------------------------------------------------------------

async function slowDownstream(): Promise<Section> {
  const server = createServer(() => {
    // accepts the request and never answers
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const env = { PRICES_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
  try {
    const bundle = await bundleFunction('docs/examples/slow-downstream.ts')
    const [without, withMw] = await runBoth(bundle, env, (fn) => fn.invoke<{ statusCode: number }>({ productId: '42' }))
    const logLine = (result: InvokeResult) =>
      linesWith(result.logs, 'timed out').map((line) => line.split('\t').at(-1) ?? line)[0] ?? 'nothing about the slow call'
    return {
      title: 'An API whose downstream accepts the request and never answers',
      source: 'docs/examples/slow-downstream.ts',
      rows: [
        ['invocation', outcome(without), outcome(withMw)],
        ['caller gets', answer(without), answer(withMw)],
        ['the log says', logLine(without), logLine(withMw)],
        ['timing record', timing(without), timing(withMw)],
      ],
    }
  } finally {
    server.closeAllConnections()
    server.close()
  }
}

// ---- 2. and 3. a slow export, awaiting or blocking ----------------------------------------------

async function reportExport(blocking: boolean): Promise<Section> {
  const bundle = await bundleFunction('docs/examples/report-export.ts')
  const [without, withMw] = await runBoth(bundle, {}, (fn) => fn.invoke({ pages: 30, msPerPage: 100, blocking }))
  const flushed = (result: InvokeResult) => {
    const [metric] = jsonRecords(result.logs).filter((record) => record.metric === 'pagesRendered')
    return metric === undefined ? 'never ran: the metric is lost' : `ran: flushed pagesRendered = ${metric.value}`
  }
  const logSays = (result: InvokeResult) => {
    const [record] = jsonRecords(result.logs).filter((r) => r.package === '@middy-deadline/graceful-timeout')
    if (record === undefined) return result.status === 'timeout' ? 'only "Task timed out after 1.00 seconds"' : 'nothing about where it was'
    const by = record.source === 'watchdog' ? 'the watchdog thread, before the kill' : 'the invocation'
    return `one record, by ${by}: "${record.message}"`
  }
  return {
    title: blocking
      ? 'The same export rendered synchronously: the event loop never gets a turn'
      : 'A report export that needs 3 s of rendering in a 1 s function',
    source: 'docs/examples/report-export.ts',
    rows: [
      ['invocation', outcome(without), outcome(withMw)],
      ...(blocking ? [] : ([['caller gets', answer(without), answer(withMw)]] as Row[])),
      ['its finally', flushed(without), flushed(withMw)],
      ['the log says', logSays(without), logSays(withMw)],
      ['timing record', timing(without), timing(withMw)],
    ],
    ...(blocking ? {} : { record: timingRecord(withMw) }),
  }
}

// ---- 4. an SQS batch bigger than the time budget ------------------------------------------------

async function sqsOrders(): Promise<Section> {
  const orders = Array.from({ length: 20 }, (_, i) => `order-${String(i + 1).padStart(2, '0')}`)
  const saved = (result: InvokeResult) => linesWith(result.logs, 'saved order').map((line) => /saved order (\S+)/.exec(line)?.[1] as string)
  const bundle = await bundleFunction('docs/examples/sqs-orders.ts')

  // Without: a failed invocation sends the whole batch back to the queue.
  const without = await startFunction({ bundle, handler: 'index.unprotected', timeoutMs: TIMEOUT_MS })
  const first = await without.invoke(sqsEvent(orders))
  const savedFirst = saved(first)
  const again = await without.invoke(sqsEvent(orders))
  const twice = saved(again).filter((id) => savedFirst.includes(id)).length
  await without.stop()

  // With: SQS re-delivers only what batchItemFailures names, until nothing is left.
  const withMw = await startFunction({ bundle, handler: 'index.handler', timeoutMs: TIMEOUT_MS })
  const sizes: number[] = []
  const savedAll: string[] = []
  let delivery = orders
  let firstWith: InvokeResult<SQSBatchResponse> | undefined
  while (delivery.length > 0 && sizes.length < 10) {
    sizes.push(delivery.length)
    const result = await withMw.invoke<SQSBatchResponse>(sqsEvent(delivery))
    firstWith ??= result
    savedAll.push(...saved(result))
    delivery = result.response?.batchItemFailures.map((failure) => failure.itemIdentifier) ?? delivery
  }
  await withMw.stop()
  const savedOnce = new Set(savedAll).size === savedAll.length && savedAll.length === orders.length

  return {
    title: `An SQS batch of ${orders.length} orders, ~100 ms each: more than one invocation can do`,
    source: 'docs/examples/sqs-orders.ts',
    rows: [
      ['first delivery', `${outcome(first)}, after saving ${savedFirst.length} orders`, `${outcome(firstWith as InvokeResult)}`],
      [
        'Lambda is told',
        'the invocation failed: all 20 go back to the queue',
        `batchItemFailures: the ${(firstWith?.response?.batchItemFailures ?? []).length} orders not saved`,
      ],
      [
        'next deliveries',
        `all ${orders.length} again: ${twice} orders saved a second time, and ${outcome(again)} again (until the dead-letter queue)`,
        `${sizes.join(' → ')} orders: done in ${sizes.length} deliveries, ${savedOnce ? 'every order saved exactly once' : 'SOMETHING WAS LOST OR DONE TWICE'}`,
      ],
      ['timing record', timing(first), timing(firstWith as InvokeResult)],
    ],
  }
}

// ---- helpers -------------------------------------------------------------------------------------

async function runBoth<T>(
  bundle: string,
  env: Record<string, string>,
  invoke: (fn: Awaited<ReturnType<typeof startFunction>>) => Promise<InvokeResult<T>>,
): Promise<[InvokeResult<T>, InvokeResult<T>]> {
  const results: InvokeResult<T>[] = []
  for (const handler of ['index.unprotected', 'index.handler']) {
    const fn = await startFunction({ bundle, handler, timeoutMs: TIMEOUT_MS, env })
    results.push(await invoke(fn))
    await fn.stop()
  }
  return results as [InvokeResult<T>, InvokeResult<T>]
}

function outcome(result: InvokeResult): string {
  if (result.status === 'timeout') return `KILLED at the hard deadline (Task timed out after ${seconds(result.durationMs)})`
  const spare = `${Math.round(result.marginMs ?? 0)} ms before the hard deadline`
  // Middy 7 throws its own TimeoutError 5 ms before the deadline: it wins the race or the kill does.
  if (result.status === 'error' && (result.marginMs ?? 0) < 10) return `cut by Middy's own TimeoutError ${spare} (or killed: a coin toss)`
  if (result.status === 'error') return `failed with ${result.error?.errorType} ${spare}`
  return `settled ${spare}`
}

function timingRecord(result: InvokeResult): Record<string, unknown> | undefined {
  return jsonRecords(result.logs).find((record) => 'timingSource' in record && 'coldStart' in record)
}

function timing(result: InvokeResult): string {
  const record = timingRecord(result)
  if (record === undefined) return result.status === 'timeout' ? 'none: killed before anything could write it' : 'none'
  const cold = record.coldStart ? `, cold start (init ${Math.round(record.initDurationMs as number)} ms)` : ''
  const used = Math.round((record.timeoutUsedShare as number) * 100)
  return `${record.outcome}: ${Math.round(record.durationMs as number)} ms, ${used} % of the timeout${cold}, ${Math.round(record.remainingMs as number)} ms left`
}

/** The record with its phases as `name: ms` and its marks left out, to fit a terminal. */
function shorten(record: Record<string, unknown>): Record<string, unknown> {
  const { phases, marks, timestamp, ...rest } = record
  const phaseMs = Object.fromEntries(
    (phases as { name: string; durationMs: number }[]).map((p) => [p.name, Math.round(p.durationMs * 10) / 10]),
  )
  return { ...rest, phases: phaseMs, marks: `${(marks as unknown[]).length} marks` }
}

function answer(result: InvokeResult): string {
  if (result.status === 'timeout') return `an error: "${result.error?.errorMessage}"`
  if (result.status === 'error') return `an error: ${result.error?.errorType}: ${result.error?.errorMessage}`
  const response = result.response as { statusCode?: number; body?: string } | undefined
  return response?.statusCode === undefined ? JSON.stringify(response) : `${response.statusCode} ${response.body ?? ''}`
}

const LABEL = 16
const COLUMN = 52

function print(number: number, section: Section): void {
  console.log(`\n${number}. ${section.title}  (${section.source})`)
  console.log(`   ${''.padEnd(LABEL)}${'WITHOUT our middlewares'.padEnd(COLUMN)}  WITH them`)
  for (const [label, without, withMw] of section.rows) {
    const left = wrap(without, COLUMN)
    const right = wrap(withMw, COLUMN)
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      console.log(`   ${(i === 0 ? label : '').padEnd(LABEL)}${(left[i] ?? '').padEnd(COLUMN)}  ${right[i] ?? ''}`)
    }
  }
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = ''
    }
    line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}

await main()
