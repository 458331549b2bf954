// One chain, one handler, one place for the current deadline, in one fresh process, under Lambda's
// one-at-a-time runtime store (aws-lambda-ric 4 without AWS_LAMBDA_MAX_CONCURRENCY: a plain
// variable). Prints per-invocation times as JSON.
// Usage: node bench/isolation-child.mjs <bare|bare+als|deadline> <trivial|promises> <runtime|own> <batches> <batchSize>
import { AsyncLocalStorage } from 'node:async_hooks'
import { contexts, invoker } from './lib/invoke.mjs'
import { distEntry } from './lib/packages.mjs'
import { writeResult } from './lib/result.mjs'
import { median, percentile } from './lib/stats.mjs'

const [chain, handlerName, store, batchesArg, batchSizeArg] = process.argv.slice(2)
process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = store
const batches = Number(batchesArg)
const batchSize = Number(batchSizeArg)

const RESPONSE = { statusCode: 200, body: 'ok' }
// A handler that does what handlers do between I/O: calls async functions and awaits them. 100
// awaited calls make 200 promises; an enabled AsyncLocalStorage on Node 22 taxes each of them.
const step = async (i) => i + 1
const HANDLERS = {
  trivial: async () => RESPONSE,
  promises: async () => {
    let n = 0
    for (let i = 0; i < 100; i++) n = await step(n)
    return n === 100 ? RESPONSE : undefined
  },
}

const middy = (await import('@middy/core')).default
const { deadline, deadlinePlugin } = await import(distEntry('deadline'))
const app = HANDLERS[handlerName]
const BARE = { timeoutEarlyInMillis: 0 }
let handler
if (chain === 'bare') handler = middy(app, BARE)
else if (chain === 'bare+als') {
  // What any enabled AsyncLocalStorage costs code that never reads it: the process-wide tax.
  new AsyncLocalStorage().enterWith({})
  handler = middy(app, BARE)
} else if (chain === 'deadline') handler = middy(app, { ...BARE, ...deadlinePlugin() }).use(deadline({ reserveMs: 500 }))
else throw new Error(`unknown chain ${chain}`)

const invoke = await invoker(handler, 'invoke-store')
// Wall time and the process's CPU time (every thread: the collector's work counts) per batch. On a
// shared machine under load the wall clock also counts the time other processes held the CPU; CPU
// time does not. (process.threadCpuUsage is counted in scheduler ticks here: a 0.3 ms batch reads 0.)
async function batch(ctxs) {
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  for (const context of ctxs) await invoke(context)
  const wallNs = Number(process.hrtime.bigint() - start)
  const used = process.cpuUsage(cpu)
  return { wallNs, cpuNs: (used.user + used.system) * 1000 }
}
async function measure(count, budgetMs, minimum) {
  const wall = []
  const cpu = []
  const until = performance.now() + budgetMs
  for (let i = 0; i < count && (i < minimum || performance.now() < until); i++) {
    const { wallNs, cpuNs } = await batch(contexts(batchSize))
    wall.push(wallNs / batchSize)
    cpu.push(cpuNs / batchSize)
  }
  return { wall, cpu }
}
await measure(Math.max(5, Math.floor(batches / 5)), 300, 5)
const { wall: perInvocationNs, cpu: cpuPerInvocationNs } = await measure(batches, 1000, Math.min(30, batches))
// Which store the deadline ended up in: proves the mode measured is the mode named.
const { InvokeStore } = await import('@aws/lambda-invoke-store')
const runtimeStore = await InvokeStore.getInstanceAsync()
const ownStorage = globalThis[Symbol.for('@middy-deadline/deadline.asyncLocalStorage')]
writeResult({
  chain,
  handler: handlerName,
  store,
  node: process.version,
  asyncContextFrame: typeof AsyncLocalStorage.prototype._enable !== 'function',
  ownStorageCreated: ownStorage !== undefined,
  deadlineInRuntimeStore: runtimeStore.get(Symbol.for('@middy-deadline/deadline.current')) !== undefined,
  batches: perInvocationNs.length,
  batchSize,
  medianNs: median(perInvocationNs),
  p99Ns: percentile(perInvocationNs, 99),
  cpuMedianNs: median(cpuPerInvocationNs),
})
