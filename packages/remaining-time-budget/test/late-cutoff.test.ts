import middy from '@middy/core'
import type { Deadline, DeadlineContext } from '@middy-deadline/deadline'
import { type BudgetRun, ItemAbandonedError, remainingTimeBudget, runWithinBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { invokeWithTimeout } from '@middy-deadline/testing'
import type { Context, SQSEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { type HardDeadlineNear, hardDeadlineNear } from '../../../test/support/hard-deadline.js'
import { sleep, sqsRecord } from './events.js'

// A 2 s reserve: the answers are planned 800 and 900 ms before the hard deadline, which a loaded
// machine's late event loop does not reach (with 1.5 s, 300 and 400 ms: an answer once came after
// the hard deadline at load 14).
const RESERVE_MS = 2000
const TIMEOUT_MS = 4000

/**
 * A batch of two: `stuck` never settles (it ignores its signal), `blocks` holds the event loop from
 * just before the cutoff until `pastCutoffMs` after it, as a large synchronous parse would, so the
 * cutoff's timer fires that late. Real timers: lateness is the point. What the answer is measured
 * against is the deadline's own clock (its hard deadline can be a few ms before the context's: 305
 * against a bound of 302 was seen at load 8-12 on the context's clock) and a timer of the test's due
 * 500 ms before the hard deadline, armed when the first record starts: the answer came before it or
 * not, however late the event loop runs (docs/testing-the-library.md, "Time in tests").
 */
async function lateCutoff(abandonAfterMs: number, pastCutoffMs: number) {
  let freedBeforeHardDeadlineMs = Number.NaN
  let shared: Deadline | undefined
  let nearTheEnd: HardDeadlineNear | undefined
  const handler = sqsBatch(
    async (record, { deadline }) => {
      shared = deadline as Deadline
      nearTheEnd ??= hardDeadlineNear(shared, 500)
      if (record.body === 'stuck') return new Promise(() => {})
      await sleep(shared.remaining() - 50)
      while (shared.remainingToHardDeadline() > RESERVE_MS - pastCutoffMs) {}
      freedBeforeHardDeadlineMs = shared.remainingToHardDeadline()
    },
    { reserveMs: RESERVE_MS, abandonAfterMs, concurrency: 2, estimator: false, expectedMs: 1 },
  )
  let answeredBeforeHardDeadlineMs = Number.NaN
  let answeredBeforeTheTestsTimer = false
  const answering = async (event: SQSEvent, context: Context) => {
    const response = await handler(event, context)
    answeredBeforeHardDeadlineMs = shared?.remainingToHardDeadline() ?? Number.NaN
    answeredBeforeTheTestsTimer = nearTheEnd?.passed === false
    return response
  }
  const event: SQSEvent = { Records: [sqsRecord('blocks', 'blocks'), sqsRecord('stuck', 'stuck')] }
  try {
    const outcome = await invokeWithTimeout(answering, event, { timeoutMs: TIMEOUT_MS })
    return { outcome, freedBeforeHardDeadlineMs, answeredBeforeHardDeadlineMs, answeredBeforeTheTestsTimer }
  } finally {
    nearTheEnd?.cancel()
  }
}

describe('a batch whose cutoff came late (the event loop was blocked past it)', () => {
  it('answers abandonAfterMs after the cutoff as it was due, not after the late timer', async () => {
    const abandonAfterMs = 1200
    const { outcome, answeredBeforeHardDeadlineMs, answeredBeforeTheTestsTimer } = await lateCutoff(abandonAfterMs, 600)
    expect(outcome).toMatchObject({ status: 'succeeded', response: { batchItemFailures: [{ itemIdentifier: 'stuck' }] } })
    // Planned: 2000 - 1200 = 800 ms before the hard deadline, on the deadline's clock; a timer is
    // never early by more than 1 ms, and a late one only lowers the figure.
    expect(answeredBeforeHardDeadlineMs).toBeLessThanOrEqual(RESERVE_MS - abandonAfterMs + 2)
    // Counted from the late timer, the wait would have ended 200 ms before the hard deadline: after
    // the test's timer, due 500 ms before it.
    expect(answeredBeforeTheTestsTimer).toBe(true)
  })

  it('answers as soon as the loop is free when it was blocked for longer than abandonAfterMs', async () => {
    const { outcome, freedBeforeHardDeadlineMs, answeredBeforeTheTestsTimer } = await lateCutoff(800, 1100)
    expect(outcome).toMatchObject({ status: 'succeeded', response: { batchItemFailures: [{ itemIdentifier: 'stuck' }] } })
    // Freed about 900 ms before the hard deadline (on the deadline's clock); counted from the late
    // timer, the 800 ms wait would have ended 100 ms before it: after the test's timer, due 500 ms
    // before it.
    expect(freedBeforeHardDeadlineMs).toBeGreaterThan(500)
    expect(answeredBeforeTheTestsTimer).toBe(true)
  })
})

describe('a run left going by an invocation that ended after blocking the event loop past its cutoff', () => {
  it('abandons what still runs at the end as cut by the cutoff, which came first though its timer never ran', async () => {
    const runs: Promise<BudgetRun<string, never>>[] = []
    const handler = middy(async (_event: unknown, context: DeadlineContext) => {
      // Not awaited: the handler answers while the item still runs (it ignores its signal).
      runs.push(runWithinBudget(['stuck'], () => new Promise<never>(() => {})))
      // Synchronous work until 10 ms past the cutoff; the invocation ends before the loop is free.
      while (context.deadline.remainingToHardDeadline() > context.deadline.reserveMs - 10) {}
      return 'answered'
    }).use(remainingTimeBudget({ reserveMs: 150 }))
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 400 })
    expect(outcome).toMatchObject({ status: 'succeeded', response: 'answered' })
    const [run] = await Promise.all(runs)
    expect(run?.outcomes[0]).toMatchObject({ status: 'failed', error: expect.any(ItemAbandonedError) })
    expect(run?.outcomes[0]).toMatchObject({ error: { limit: 'cutoff' } })
  })
})
