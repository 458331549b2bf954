import middy from '@middy/core'
import type { Deadline, DeadlineContext } from '@middy-deadline/deadline'
import { type BudgetRun, ItemAbandonedError, remainingTimeBudget, runWithinBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { invokeWithTimeout } from '@middy-deadline/testing'
import type { SQSEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { sleep, sqsRecord } from './events.js'

const RESERVE_MS = 1500
const TIMEOUT_MS = 3200

/**
 * A batch of two: `stuck` never settles (it ignores its signal), `blocks` holds the event loop from
 * just before the cutoff until `pastCutoffMs` after it, as a large synchronous parse would, so the
 * cutoff's timer fires that late. Real timers: lateness is the point.
 */
async function lateCutoff(abandonAfterMs: number, pastCutoffMs: number) {
  let freedBeforeHardDeadlineMs = Number.NaN
  const handler = sqsBatch(
    async (record, { deadline }) => {
      const shared = deadline as Deadline
      if (record.body === 'stuck') return new Promise(() => {})
      await sleep(shared.remaining() - 50)
      while (shared.remainingToHardDeadline() > RESERVE_MS - pastCutoffMs) {}
      freedBeforeHardDeadlineMs = shared.remainingToHardDeadline()
    },
    { reserveMs: RESERVE_MS, abandonAfterMs, concurrency: 2, estimator: false, expectedMs: 1 },
  )
  const event: SQSEvent = { Records: [sqsRecord('blocks', 'blocks'), sqsRecord('stuck', 'stuck')] }
  const outcome = await invokeWithTimeout(handler, event, { timeoutMs: TIMEOUT_MS })
  return { outcome, freedBeforeHardDeadlineMs }
}

describe('a batch whose cutoff came late (the event loop was blocked past it)', () => {
  it('answers abandonAfterMs after the cutoff as it was due, not after the late timer', async () => {
    const abandonAfterMs = 1200
    const { outcome } = await lateCutoff(abandonAfterMs, 600)
    expect(outcome).toMatchObject({ status: 'succeeded', response: { batchItemFailures: [{ itemIdentifier: 'stuck' }] } })
    const answeredBeforeHardDeadlineMs = outcome.status === 'succeeded' ? outcome.settledBeforeHardDeadlineMs : Number.NaN
    // Planned: 1500 - 1200 = 300 ms before the hard deadline. Counted from the late timer, the wait
    // would have run into the margin (50 ms before it); a late answer timer only lowers the figure.
    expect(answeredBeforeHardDeadlineMs).toBeLessThanOrEqual(RESERVE_MS - abandonAfterMs + 2)
    expect(answeredBeforeHardDeadlineMs).toBeGreaterThan(150)
  })

  it('answers as soon as the loop is free when it was blocked for longer than abandonAfterMs', async () => {
    const { outcome, freedBeforeHardDeadlineMs } = await lateCutoff(800, 1100)
    expect(outcome).toMatchObject({ status: 'succeeded', response: { batchItemFailures: [{ itemIdentifier: 'stuck' }] } })
    const answeredBeforeHardDeadlineMs = outcome.status === 'succeeded' ? outcome.settledBeforeHardDeadlineMs : Number.NaN
    // Freed about 400 ms before the hard deadline; counted from the late timer, the 800 ms wait would
    // have been cut only by the margin, 50 ms before it.
    expect(freedBeforeHardDeadlineMs - answeredBeforeHardDeadlineMs).toBeLessThan(200)
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
