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
import { describe, expect, it } from 'vitest'
import { localServer } from './server.js'

const server = localServer()

/** How a call settled, and when: ms since the invocation started, as its deadline counts. */
const settledAfter = async (deadline: Deadline, work: Promise<unknown>) => {
  try {
    await work
    return { ok: true, afterMs: deadline.elapsed() }
  } catch (error) {
    return { ok: false, error, afterMs: deadline.elapsed() }
  }
}

describe('concurrent invocations in one process', () => {
  it('bounds every call by the deadline of the invocation it belongs to', async () => {
    const reserveMs = 300
    const handler = middy<{ id: number }, unknown, Error, OutboundFetchContext>(
      async (event: { id: number }, context: OutboundFetchContext) => {
        // Three kinds of call at once, from the context, from code without it, and any promise.
        const [viaContext, viaLookup, viaPromise, healthy] = await Promise.all([
          settledAfter(context.deadline, context.fetch(`${server.base}/never?id=${event.id}`)),
          settledAfter(
            context.deadline,
            deadlineFetch(`${server.base}/trickle/15`).then((response: Response) => response.text()),
          ),
          settledAfter(
            context.deadline,
            withDeadline((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), {
              label: 'db',
            }),
          ),
          settledAfter(
            context.deadline,
            context.fetch(`${server.base}/ok`).then((response) => response.text()),
          ),
        ])
        return { viaContext, viaLookup, viaPromise, healthy, calls: outboundCallsOf(context.deadline) }
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
      const cutoff = (timeouts[i] as number) - reserveMs
      const r = result as Record<
        'viaContext' | 'viaLookup' | 'viaPromise' | 'healthy',
        { ok: boolean; error?: unknown; afterMs: number }
      > & {
        calls: ReturnType<typeof outboundCallsOf>
      }
      for (const cut of [r.viaContext, r.viaLookup, r.viaPromise]) {
        expect(cut.ok).toBe(false)
        expect(cut.error).toMatchObject({ name: 'TimeoutError', limit: 'invocation deadline' })
        expect(cut.afterMs).toBeGreaterThanOrEqual(cutoff - 20)
        // Not before its own cutoff (the previous invocation's comes 45 ms earlier), and before its
        // own hard deadline even on a loaded machine: the reserve is wide for that.
        expect(cut.afterMs).toBeLessThan(cutoff + reserveMs - 10)
      }
      expect(r.healthy.ok).toBe(true)
      expect(r.calls.counts).toMatchObject({ started: 4, ok: 1, timeout: 3 })
    }
  })
})
