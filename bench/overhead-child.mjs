// One configuration, one store mode, one fresh process: prints per-invocation times as JSON.
// Usage: node bench/overhead-child.mjs <config> <als|invoke-store|invoke-store-multi> <batches> <batchSize> [sequential|concurrent]

import { CONFIGS, makeApp } from './lib/configs.mjs'
import { contexts, invoker } from './lib/invoke.mjs'
import { writeResult } from './lib/result.mjs'
import { median, percentile } from './lib/stats.mjs'

const [name, store, batchesArg, batchSizeArg, shape = 'sequential'] = process.argv.slice(2)
const batches = Number(batchesArg)
const batchSize = Number(batchSizeArg)
const invoke = await invoker(await CONFIGS[name].build(makeApp(shape === 'concurrent')), store)

// Sequential: one invocation at a time, as Lambda runs them. Concurrent: the whole batch in flight
// at once (Lambda Managed Instances), with the handler yielding once so every invocation overlaps.
async function sequentialBatch(ctxs) {
  const start = process.hrtime.bigint()
  for (const context of ctxs) await invoke(context)
  return process.hrtime.bigint() - start
}
async function concurrentBatch(ctxs) {
  const start = process.hrtime.bigint()
  await Promise.all(ctxs.map((context) => invoke(context)))
  return process.hrtime.bigint() - start
}
const runBatch = shape === 'concurrent' ? concurrentBatch : sequentialBatch

// Time-boxed so that slow chains do not stretch the run: up to `batches` batches or 1 s of
// measuring (at least 30 batches), after up to a fifth as many warm-up batches or 0.3 s.
async function measure(count, budgetMs, minimum) {
  const perInvocationNs = []
  const until = performance.now() + budgetMs
  for (let i = 0; i < count && (i < minimum || performance.now() < until); i++) {
    const ctxs = contexts(batchSize)
    perInvocationNs.push(Number(await runBatch(ctxs)) / batchSize)
  }
  return perInvocationNs
}
await measure(Math.max(5, Math.floor(batches / 5)), 300, 5)
const perInvocationNs = await measure(batches, 1000, Math.min(30, batches))
const resources = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap')
writeResult({
  config: name,
  store,
  shape,
  node: process.version,
  batches: perInvocationNs.length,
  batchSize,
  medianNs: median(perInvocationNs),
  p99Ns: percentile(perInvocationNs, 99),
  activeResourcesAfter: resources.length,
})
