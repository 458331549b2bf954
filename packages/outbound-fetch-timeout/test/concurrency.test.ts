import middy from '@middy/core'
import { type Deadline, deadline } from '@middy-deadline/deadline'
import {
  deadlineFetch,
  type OutboundFetchContext,
  outboundCallsOf,
  outboundFetchTimeout,
  withDeadline,
} from '@middy-deadline/outbound-fetch-timeout'
import { createLambdaContext } from '@middy-deadline/testing'
import { beforeAll, describe, expect, it } from 'vitest'
import { type HardDeadlineNear, hardDeadlineNear } from '../../../test/support/hard-deadline.js'
import { localServer } from './server.js'

const server = localServer()

// Node's first fetch loads and compiles undici: on the loaded 2-core machine that blocked the event
// loop for 300-400 ms, past the first invocations' cutoffs. That is the runtime's cold start, not
// what is tested here: it happens once, before the invocations start.
beforeAll(async () => {
  await (await fetch(`${server.base}/ok`)).text()
})

/** How a call settled, and when: ms since the invocation started, as its deadline counts. */
const settledAfter = async (deadline: Deadline, near: HardDeadlineNear, work: Promise<unknown>) => {
  try {
    await work
    return { ok: true, afterMs: deadline.elapsed(), beforeHardDeadline: !near.passed }
  } catch (error) {
    return { ok: false, error, afterMs: deadline.elapsed(), beforeHardDeadline: !near.passed }
  }
}

describe('concurrent invocations in one process', () => {
  it('bounds every call by the deadline of the invocation it belongs to', async () => {
    const reserveMs = 300
    const handler = middy<{ id: number }, unknown, Error, OutboundFetchContext>(
      async (event: { id: number }, context: OutboundFetchContext) => {
        const near = hardDeadlineNear(context.deadline)
        // Three kinds of call at once, from the context, from code without it, and any promise.
        const [viaContext, viaLookup, viaPromise, healthy] = await Promise.all([
          settledAfter(context.deadline, near, context.fetch(`${server.base}/never?id=${event.id}`)),
          settledAfter(
            context.deadline,
            near,
            deadlineFetch(`${server.base}/trickle/15`).then((response: Response) => response.text()),
          ),
          settledAfter(
            context.deadline,
            near,
            withDeadline((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), {
              label: 'db',
            }),
          ),
          settledAfter(
            context.deadline,
            near,
            context.fetch(`${server.base}/ok`).then((response) => response.text()),
          ),
        ])
        near.cancel()
        // The cutoff on the deadline's own clock (its budget is what was left when it started).
        const cutoffMs = context.deadline.budgetMs - context.deadline.reserveMs
        const { requestId } = context.deadline
        return { viaContext, viaLookup, viaPromise, healthy, cutoffMs, requestId, calls: outboundCallsOf(context.deadline) }
      },
      { timeoutEarlyInMillis: 0 },
    )
      .use(deadline({ reserveMs }))
      .use(outboundFetchTimeout({ perRequestMs: 5000 }))

    const timeouts = Array.from({ length: 12 }, (_, i) => 500 + i * 45)
    const results = await Promise.all(
      timeouts.map((timeoutMs, id) => handler({ id }, createLambdaContext({ timeoutMs, awsRequestId: `req-${id}` }))),
    )
    for (const [i, result] of results.entries()) {
      const r = result as Record<
        'viaContext' | 'viaLookup' | 'viaPromise' | 'healthy',
        { ok: boolean; error?: unknown; afterMs: number; beforeHardDeadline: boolean }
      > & {
        calls: ReturnType<typeof outboundCallsOf>
        cutoffMs: number
        requestId: string
      }
      expect(r.requestId).toBe(`req-${i}`)
      // A healthy call answers, unless its own invocation's cutoff comes first: 48 connections at
      // once on a machine at load 14 took longer than the first cutoffs (200-450 ms). Either way it
      // is never cut by another invocation's deadline.
      const cutCalls = r.healthy.ok ? [r.viaContext, r.viaLookup, r.viaPromise] : [r.viaContext, r.viaLookup, r.viaPromise, r.healthy]
      for (const cut of cutCalls) {
        expect(cut.ok).toBe(false)
        expect(cut.error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
        // Not before its own cutoff (the previous invocation's comes 45 ms earlier; timers fire at
        // most 1 ms early), and before its own hard deadline.
        expect(cut.afterMs).toBeGreaterThanOrEqual(r.cutoffMs - 1)
        expect(cut.beforeHardDeadline).toBe(true)
      }
      expect(r.calls.counts).toMatchObject({ started: 4, ok: r.healthy.ok ? 1 : 0, timeout: cutCalls.length })
    }
  })
})
