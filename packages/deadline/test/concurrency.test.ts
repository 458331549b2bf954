import middy from '@middy/core'
import { currentDeadline, type DeadlineContext, DeadlineTimeoutError, deadline } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'

describe('concurrent invocations in one process (Lambda Managed Instances)', () => {
  it('gives each of 200 invocations its own deadline, and aborts each signal at its own cutoff', async () => {
    const reserveMs = 100
    const handler = middy(
      async (event: { id: number; timeoutMs: number }, ctx: DeadlineContext) => {
        await new Promise((resolve) => setTimeout(resolve, event.id % 7))
        const ownFromLookup = currentDeadline() === ctx.deadline
        const reason = await new Promise<unknown>((resolve) =>
          ctx.deadline.signal.addEventListener('abort', () => resolve(ctx.deadline.signal.reason)),
        )
        return {
          ownFromContext: ctx.deadline.requestId === `req-${event.id}` && ctx.deadline.budgetMs <= event.timeoutMs,
          ownFromLookup,
          reason,
          // On the deadline's own clock, from its start: when its cutoff was planned and when it came.
          plannedCutoffMs: ctx.deadline.budgetMs - ctx.deadline.reserveMs,
          abortedAfterMs: ctx.deadline.elapsed(),
          hardLeftMs: ctx.getRemainingTimeInMillis(),
        }
      },
      { timeoutEarlyInMillis: 0 },
    ).use(deadline({ reserveMs }))

    // Timeouts spread from 250 to 647 ms: the signals must abort in that order, not all at once.
    const events = Array.from({ length: 200 }, (_, id) => ({ id, timeoutMs: 250 + ((id * 37) % 398) }))
    const results = await Promise.all(
      events.map((event) =>
        handler(event, createLambdaContext<DeadlineContext>({ timeoutMs: event.timeoutMs, awsRequestId: `req-${event.id}` })),
      ),
    )

    for (const [i, result] of results.entries()) {
      const expectedCutoff = result.plannedCutoffMs
      expect(expectedCutoff).toBeLessThanOrEqual((events[i]?.timeoutMs ?? 0) - reserveMs)
      expect(result.ownFromContext).toBe(true)
      expect(result.ownFromLookup).toBe(true)
      expect(result.reason).toBeInstanceOf(DeadlineTimeoutError)
      // Not before its own cutoff (1 ms timer tolerance) and, on a loaded 2-core machine, within the
      // reserve after it: the handler still answered before its hard deadline.
      expect(result.abortedAfterMs).toBeGreaterThanOrEqual(expectedCutoff - 1)
      expect(result.abortedAfterMs).toBeLessThan(expectedCutoff + reserveMs)
      expect(result.hardLeftMs).toBeGreaterThan(0)
    }
  })
})
