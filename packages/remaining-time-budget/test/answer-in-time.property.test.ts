import middy from '@middy/core'
import { DeadlineOptionError } from '@middy-deadline/deadline'
import { type BatchHandler, dynamodbStreamBatch, kinesisBatch, remainingTimeBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { dynamodbRecord, kinesisRecord, sqsRecord } from './events.js'
import { settledOnTheFakeClock } from './fake-clock.js'

/**
 * Whatever `reserveMs` and `abandonAfterMs` say, whatever the budget and however long the records
 * take (including records that ignore their signal), a batch handler's answer is out before
 * Lambda's hard deadline, or the combination was refused when the handler was created. Fake
 * timers: Date, timers and performance.now() move together, so "before" is exact to the ms. Middy's own
 * early timeout runs on the real clock (node:timers) and is switched off here; sqs.test.ts races
 * it on real timers.
 */

beforeEach(() => {
  // setImmediate stays real: Node runs an immediate before any later timer, while the fake one,
  // scheduled from inside a timer, runs 1 ms later. The runner uses one when no wait fits.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] })
})
afterEach(() => {
  vi.clearAllTimers()
  vi.useRealTimers()
})

const record = fc.record({
  durationMs: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 20_000 })),
  ignoresSignal: fc.boolean(),
  fails: fc.constantFrom(false, false, false, true),
})

const ms = (max: number) => fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: max }))

const scenario = fc.record({
  source: fc.constantFrom('sqs', 'kinesis', 'dynamodb'),
  // A whole Lambda budget: from a few ms left to the 15-minute maximum.
  budgetMs: fc.oneof(fc.integer({ min: 2, max: 200 }), fc.integer({ min: 2, max: 10_000 }), fc.integer({ min: 2, max: 900_000 })),
  middleware: fc.option(ms(5_000), { nil: undefined }),
  reserveMs: fc.option(ms(5_000), { nil: undefined }),
  abandonAfterMs: fc.option(ms(5_000), { nil: undefined }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  expectedMs: ms(1_000),
  records: fc.array(record, { minLength: 1, maxLength: 12 }),
})

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never

function eventOf(s: Scenario) {
  return {
    Records: s.records.map((_, i) =>
      s.source === 'sqs'
        ? sqsRecord(`m${i}`, String(i))
        : s.source === 'kinesis'
          ? kinesisRecord(String(i), String(i))
          : dynamodbRecord(String(i), String(i)),
    ),
  }
}

function indexOf(item: { body?: string; kinesis?: { data: string }; dynamodb?: { Keys?: { id?: { S?: string } } } }): number {
  if (item.body !== undefined) return Number(item.body)
  if (item.kinesis !== undefined) return Number(Buffer.from(item.kinesis.data, 'base64').toString())
  return Number(item.dynamodb?.Keys?.id?.S)
}

function handlerOf(s: Scenario): BatchHandler<never> {
  const recordFn = (item: never, { signal }: { signal: AbortSignal }) => {
    const spec = s.records[indexOf(item)] as Scenario['records'][number]
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => (spec.fails ? reject(new Error('failed')) : resolve()), spec.durationMs)
      if (!spec.ignoresSignal)
        signal.addEventListener('abort', () => {
          clearTimeout(timer)
          reject(signal.reason)
        })
    })
  }
  const options = {
    concurrency: s.concurrency,
    expectedMs: s.expectedMs,
    estimator: false as const,
    ...(s.reserveMs === undefined ? {} : { reserveMs: s.reserveMs }),
    ...(s.abandonAfterMs === undefined ? {} : { abandonAfterMs: s.abandonAfterMs }),
  }
  if (s.source === 'sqs') return sqsBatch(recordFn, options) as BatchHandler<never>
  if (s.source === 'kinesis') return kinesisBatch(recordFn, options) as BatchHandler<never>
  return dynamodbStreamBatch(recordFn, options) as BatchHandler<never>
}

describe('a batch answer and the hard deadline (property)', () => {
  it('is out before the hard deadline for every reserve, abandon wait, budget and record duration, or refused at creation', async () => {
    const seen = { refused: 0, answered: 0, abandoned: 0, capped: 0 }
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const abandonAfterMs = s.abandonAfterMs ?? 50
        if (s.reserveMs !== undefined && abandonAfterMs >= s.reserveMs) {
          // The records still running at the cutoff would be waited for past the hard deadline.
          expect(() => handlerOf(s)).toThrow(DeadlineOptionError)
          expect(() => handlerOf(s)).toThrow(/`abandonAfterMs` must be less than reserveMs/)
          seen.refused++
          return
        }
        const inner = handlerOf(s)
        const handler =
          s.middleware === undefined
            ? inner
            : middy(inner, { timeoutEarlyInMillis: 0 }).use(remainingTimeBudget({ reserveMs: s.middleware }))
        const context = createLambdaContext({ timeoutMs: s.budgetMs })
        const hardDeadlineAt = Date.now() + s.budgetMs
        let answeredAt = Number.NaN
        const pending = (handler as (e: unknown, c: object) => Promise<{ batchItemFailures: unknown[] }>)(eventOf(s), context).then(
          (answer) => {
            answeredAt = Date.now()
            return answer
          },
        )
        await settledOnTheFakeClock(pending)
        const answer = await pending
        expect(answeredAt).toBeLessThan(hardDeadlineAt)
        seen.answered++
        const slowest = Math.max(...s.records.map((r) => r.durationMs))
        if (answeredAt - (hardDeadlineAt - s.budgetMs) < slowest && answer.batchItemFailures.length > 0) seen.abandoned++
        if (Math.max(s.middleware ?? 0, s.reserveMs ?? 0, abandonAfterMs + 50) > s.budgetMs / 2) seen.capped++
      }),
      { numRuns: 400 },
    )
    // The runs did reach what the property is about: refusals, records cut off at the cutoff, and
    // reserves capped by a short budget (where only the run-time bound keeps the answer in time).
    for (const [kind, count] of Object.entries(seen)) expect(count, kind).toBeGreaterThan(0)
  })
})
