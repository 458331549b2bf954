// What the watchdog costs: start-up, memory, and time per invocation.
// Build first (`npm run build`), then run from the repo root:
//   node --expose-gc packages/graceful-timeout/scripts/measure-watchdog.mjs

import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import middy from '@middy/core'
import { build } from 'esbuild'
import { Deadline } from '../../deadline/dist/index.js'
import { createLambdaContext } from '../../testing/dist/index.js'
import { gracefulTimeout } from '../dist/index.js'
import { watchdog } from '../dist/watchdog.js'

// The worker's source is internal to the watchdog's bundle: take it from the sources.
const workerModule = await build({
  entryPoints: [fileURLToPath(new URL('../src/watchdog-worker.ts', import.meta.url))],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
  logLevel: 'silent',
})
const { watchdogSource } = await import(`data:text/javascript;base64,${Buffer.from(workerModule.outputFiles[0].text).toString('base64')}`)

const gc = globalThis.gc ?? (() => {})
const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// 1. Start-up of a thread running the watchdog's source, until it runs (the 'online' event).
const startups = []
for (let i = 0; i < 10; i++) {
  const started = performance.now()
  const worker = new Worker(watchdogSource(), { eval: true, workerData: { buffer: new SharedArrayBuffer(16384), fd: 1 } })
  await new Promise((resolve) => worker.once('online', resolve))
  startups.push(performance.now() - started)
  await worker.terminate()
}

// 2. Memory: RSS before and after a middleware given the real watchdog started it (created, then invoked once).
const context = () => createLambdaContext({ timeoutMs: 900_000 })
gc()
await sleep(200)
const rssBefore = process.memoryUsage().rss
const firstStarted = performance.now()
await middy(async () => 'ok').use(gracefulTimeout({ watchdog }))({}, context())
const firstInvocationMs = performance.now() - firstStarted
await sleep(500)
gc()
const rssAfter = process.memoryUsage().rss

// 3. Per invocation: the same trivial chain with and without the watchdog, with three marks.
async function perInvocation(watched) {
  const handler = middy(async (_event, ctx) => {
    ctx.deadline.mark('a')
    ctx.deadline.mark('b')
    ctx.deadline.mark('c')
    return 'ok'
  }).use(gracefulTimeout({ watchdog: watched ? watchdog : undefined }))
  const batches = []
  for (let batch = 0; batch < 30; batch++) {
    const contexts = Array.from({ length: 2000 }, context)
    const started = performance.now()
    for (const ctx of contexts) await handler({}, ctx)
    batches.push(((performance.now() - started) / contexts.length) * 1000)
  }
  return median(batches.slice(5))
}
const without = await perInvocation(false)
const withWatchdog = await perInvocation(true)
const withoutAgain = await perInvocation(false)

// 4. The watchdog's own work alone, without Middy around it: put a deadline under watch, mark it
// three times, end it; against the same without watch(). Alternating runs, the median kept.
function isolated(watched) {
  const runs = []
  for (let run = 0; run < 30; run++) {
    const deadlines = Array.from({ length: 5000 }, () => new Deadline({ context: context() }))
    const started = performance.now()
    for (const deadline of deadlines) {
      if (watched) watchdog.watch(deadline)
      deadline.mark('a')
      deadline.mark('b')
      deadline.mark('c')
      deadline.end()
    }
    runs.push(((performance.now() - started) / deadlines.length) * 1000)
  }
  return median(runs.slice(5))
}
const isolatedWithout = isolated(false)
const isolatedWith = isolated(true)

const round = (n, digits = 2) => Number(n.toFixed(digits))
console.log(
  JSON.stringify(
    {
      node: process.version,
      workerStartupMs: { median: round(median(startups)), max: round(Math.max(...startups)) },
      createdAndFirstInvocationMs: round(firstInvocationMs),
      rssDeltaMiB: round((rssAfter - rssBefore) / 2 ** 20, 1),
      perInvocationUs: { without: round(Math.min(without, withoutAgain)), withWatchdog: round(withWatchdog) },
      watchPlusThreeMarksUs: round(isolatedWith - isolatedWithout),
    },
    null,
    2,
  ),
)
