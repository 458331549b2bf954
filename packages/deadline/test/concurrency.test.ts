import middy from '@middy/core'
import { currentDeadline, type DeadlineContext, DeadlineTimeoutError, deadline } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { hardDeadlineNear } from '../../../test/support/hard-deadline.js'

describe('concurrent invocations in one process (Lambda Managed Instances)', () => {
  it('gives each of 200 invocations its own deadline, and aborts each signal at its own cutoff', async () => {
    const reserveMs = 250
    const handler = middy(
      async (event: { id: number; timeoutMs: number }, ctx: DeadlineContext) => {
        await new Promise((resolve) => setTimeout(resolve, event.id % 7))
        const ownFromLookup = currentDeadline() === ctx.deadline
        const aborted = new Promise<unknown>((resolve) =>
          ctx.deadline.signal.addEventListener('abort', () => resolve(ctx.deadline.signal.reason)),
        )
        // Armed after the deadline's own timer (the signal arms it on first use): on a loaded machine
        // a handler can start after its cutoff was due, and two timers that are both due at once
        // then run in the order they were armed.
        const near = hardDeadlineNear(ctx.deadline)
        const reason = await aborted
        near.cancel()
        return {
          ownFromContext: ctx.deadline.requestId === `req-${event.id}` && ctx.deadline.budgetMs <= event.timeoutMs,
          ownFromLookup,
          reason,
          // On the deadline's own clock, from its start: when its cutoff was planned and when it came.
          plannedCutoffMs: ctx.deadline.budgetMs - ctx.deadline.reserveMs,
          abortedAfterMs: ctx.deadline.elapsed(),
          // Aborted before a timer of the test's, due 10 ms before the hard deadline, had fired.
          beforeHardDeadline: !near.passed,
        }
      },
      { timeoutEarlyInMillis: 0 },
    ).use(deadline({ reserveMs }))

    // Timeouts spread from 520 to 1117 ms (at least twice the reserve, which the deadline caps at
    // half the budget): the signals must abort in that order, not all at once (one abort for all
    // would come after most hard deadlines).
    const events = Array.from({ length: 200 }, (_, id) => ({ id, timeoutMs: 520 + ((id * 37) % 598) }))
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
      // Not before its own cutoff (1 ms timer tolerance), and within the reserve after it: before
      // the hard deadline, as an ordering rather than `abortedAfterMs < cutoff + reserve`, a bound
      // that a loaded machine's late timers broke (at load 8-13, with 100 ms of reserve, in 11 of
      // 18 runs). The reserve is 250 ms so that the test's timer is due well after the cutoff's:
      // Node runs due timers list by list (one list per duration), so two timers due close
      // together can run out of order when the loop is late.
      expect(result.abortedAfterMs).toBeGreaterThanOrEqual(expectedCutoff - 1)
      expect(result.beforeHardDeadline).toBe(true)
    }
  })
})
