import middy from '@middy/core'
import { type DeadlineContext, deadlinePlugin } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { type OutboundFetchContext, outboundFetchTimeout, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { remainingTimeBudget, runWithinBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { stepWithinBudget } from '@middy-deadline/remaining-time-budget/durable'
import { createLambdaContext } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { settled, survive } from './harness.js'
import { type Made, RUNS, thrownValue } from './values.js'

/**
 * What a context's getRemainingTimeInMillis() may answer: any number (NaN, infinities, -0, the
 * smallest double, more than a Node timer holds), and anything else at all.
 */
const remaining: fc.Arbitrary<Made> = fc.oneof(
  fc
    .oneof(
      fc.double(),
      fc.integer(),
      fc.constantFrom(
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        -0,
        0,
        Number.MIN_VALUE,
        2 ** 31 - 1,
        2 ** 31,
        2 ** 53,
        1e300,
      ),
    )
    .map((value) => Object.assign(() => value, { [fc.toStringMethod]: () => String(value) })),
  thrownValue,
)

/** A Lambda context whose remaining time is `made()`, as a value or as a promise of it. */
const contextAnswering = (made: Made, asPromise: boolean) => ({
  ...createLambdaContext(),
  getRemainingTimeInMillis: () => (asPromise ? Promise.resolve(made()) : made()),
})

const isTimeout = (result: { ok: boolean; error?: unknown }) => !result.ok && (result.error as { name?: unknown })?.name === 'TimeoutError'

describe('any remaining time a context answers: the process survives, the invocation ends as documented', () => {
  it('every middleware in one chain, with every kind of call: it answers, or ends as a timeout', async () => {
    const app = async (_event: unknown, context: OutboundFetchContext<DeadlineContext>) => {
      context.deadline.mark('start')
      await (await context.fetch('https://api.example.com/')).text()
      await withDeadline(async () => 'row', { label: 'db' })
      await runWithinBudget([1, 2, 3], async () => {})
      context.deadline.scope(50).dispose()
      return 'ok'
    }
    const handler = middy(app, { ...deadlinePlugin(), timeoutEarlyInMillis: 0 })
      .use(timingLogger())
      .use(gracefulTimeout({ reserveMs: 100 }))
      .use(outboundFetchTimeout({ fetch: async () => new Response('ok') }))
      .use(remainingTimeBudget())
    await fc.assert(
      fc.asyncProperty(remaining, fc.boolean(), async (made, asPromise) => {
        const { result } = await survive(() => settled(handler({}, contextAnswering(made, asPromise) as never)))
        // Too little time to start a call (a budget of a few ms) ends the invocation as a timeout.
        if (!(result.ok && result.value === 'ok')) expect(isTimeout(result)).toBe(true)
      }),
      RUNS,
    )
  })

  it('sqsBatch without Middy: every record is done or named for a retry', async () => {
    const handler = sqsBatch(async () => {})
    const event = { Records: [{ messageId: 'a' }, { messageId: 'b' }] }
    await fc.assert(
      fc.asyncProperty(remaining, fc.boolean(), async (made, asPromise) => {
        const { result } = await survive(() => handler(event as never, contextAnswering(made, asPromise)))
        for (const failure of result.batchItemFailures) expect(['a', 'b']).toContain(failure.itemIdentifier)
      }),
      RUNS,
    )
  })

  it('stepWithinBudget: the step runs, now or after yielding', async () => {
    await fc.assert(
      fc.asyncProperty(remaining, fc.boolean(), async (made, asPromise) => {
        const context = {
          step: async (_name: string, fn: () => unknown) => fn(),
          wait: async () => {},
          lambdaContext: contextAnswering(made, asPromise),
        }
        const { result } = await survive(() => stepWithinBudget(context as never, 'work', async () => 'done', { expectedMs: 10 }))
        expect(result).toBe('done')
      }),
      RUNS,
    )
  })
})
