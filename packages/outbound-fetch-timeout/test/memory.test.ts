import { getEventListeners } from 'node:events'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import middy from '@middy/core'
import { deadline, deadlinePlugin } from '@middy-deadline/deadline'
import {
  deadlineFetch,
  type FetchLike,
  type OutboundFetchContext,
  outboundFetchTimeout,
  withDeadline,
} from '@middy-deadline/outbound-fetch-timeout'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it, vi } from 'vitest'
import { watchTimers } from '../../../test/support/timers.js'
import { restoreGlobalFetchAfterEach } from './server.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

// 100,000 by default; OUTBOUND_MEMORY_CALLS=1000000 for the million-call run reported in the docs.
const CALLS = Number(process.env.OUTBOUND_MEMORY_CALLS ?? 100_000)
const CALLS_PER_INVOCATION = 10

/** Answers after a turn of the event loop, as a network call would, and honours its signal. */
const stubFetch: FetchLike = (_input, init) =>
  new Promise((resolve, reject) => {
    const signal = init?.signal
    if (signal?.aborted) return reject(signal.reason)
    setImmediate(() => (signal?.aborted ? reject(signal.reason) : resolve(new Response('ok'))))
  })

restoreGlobalFetchAfterEach()

// Run once: the check counts timers, state a retry does not start from.
describe('memory and listeners over many calls', { retry: 0 }, () => {
  it(
    `leaves no timers, listeners or heap growth after ${CALLS.toLocaleString('en')} calls across invocations`,
    async () => {
      vi.stubGlobal('fetch', stubFetch)
      // A process-lifetime signal passed by every call: a composite hanging off it would leak.
      const shutdown = new AbortController()
      const handler = middy<{ n: number }, number, Error, OutboundFetchContext>(
        async (event: { n: number }, context: OutboundFetchContext) => {
          let read = 0
          const signal = shutdown.signal
          for (let i = 0; i < CALLS_PER_INVOCATION; i++) {
            const kind = (event.n + i) % 5
            if (kind === 0) read += (await (await context.fetch('https://api.test/a?i=1', { signal })).text()).length
            else if (kind === 1) read += (await (await deadlineFetch('https://api.test/b', { signal })).arrayBuffer()).byteLength
            else if (kind === 2) read += (await (await fetch('https://api.test/c', { signal })).text()).length
            else if (kind === 3)
              read += (await withDeadline((s) => stubFetch('https://db.test', { signal: s }), { signal, label: 'db' })).status
            // A response whose body is never read: released when the invocation ends.
            else await context.fetch('https://api.test/unread', { signal })
          }
          return read
        },
        { ...deadlinePlugin(), timeoutEarlyInMillis: 0 },
      )
        .use(deadline({ reserveMs: 100 }))
        .use(outboundFetchTimeout({ perRequestMs: 5000, patchGlobalFetch: true }))

      const invocations = CALLS / CALLS_PER_INVOCATION
      const timers = watchTimers()
      const sampled: WeakRef<object>[] = []
      let heapAfterWarmUp = 0
      for (let n = 0; n < invocations; n++) {
        const context = createLambdaContext<OutboundFetchContext>({ timeoutMs: 60_000 })
        await handler({ n }, context)
        if (n % 500 === 0) sampled.push(new WeakRef(context.deadline))
        if (n === Math.floor(invocations / 5)) {
          gc()
          heapAfterWarmUp = process.memoryUsage().heapUsed
        }
      }
      await new Promise((resolve) => setImmediate(resolve))
      gc()
      const heapGrowthMb = (process.memoryUsage().heapUsed - heapAfterWarmUp) / 1024 / 1024
      console.log(`${CALLS} calls in ${invocations} invocations: heap growth after warm-up ${heapGrowthMb.toFixed(2)} MB`)

      expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0)
      // Every timer and immediate the invocations armed has fired or been cleared.
      expect(await timers.left()).toBe(0)
      const alive = sampled.flatMap((ref, i) => (ref.deref() === undefined ? [] : [i * 500]))
      // The first invocation's deadline may stay on this test's own async context (enterWith).
      expect(alive.filter((n) => n !== 0)).toEqual([])
      expect(heapGrowthMb).toBeLessThan(16)
    },
    // What is tested is memory, not speed (that is the benchmark's): the limit only stops a hang. The
    // run takes 5-9 s on an idle 2-core machine, and past 20 s at load 16 (where a 20 s limit failed
    // it); under coverage (NODE_V8_COVERAGE is set for the test workers) every block counts its
    // runs: twice the time.
    Math.max(120_000, CALLS / 2) * (process.env.NODE_V8_COVERAGE ? 2 : 1),
  )
})
