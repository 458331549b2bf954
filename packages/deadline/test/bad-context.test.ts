import middy from '@middy/core'
import { currentDeadline, type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// Middy's own early timeout calls getRemainingTimeInMillis() itself (and would rethrow a throwing
// one); it is switched off here so that what is checked is the deadline's behaviour alone.
const report = async (context: Partial<Context>) => {
  const handler = middy(
    async (_e: unknown, ctx: DeadlineContext) => ({
      status: ctx.deadline.status,
      remaining: ctx.deadline.remaining(),
      fits: ctx.deadline.hasTimeFor(60_000),
      aborted: ctx.deadline.signal.aborted,
    }),
    { timeoutEarlyInMillis: 0 },
  ).use(deadline({ reserveMs: 500 }))
  return handler({}, context as DeadlineContext)
}

const { getRemainingTimeInMillis: _, ...noClock } = createLambdaContext<DeadlineContext>()

// Each case is a different problem, so each warns once in this process, however often it repeats.
describe('deadline with a bad context', () => {
  it.each([
    ['no getRemainingTimeInMillis', noClock, 'unknown', 'has no getRemainingTimeInMillis()'],
    ['NaN', { ...noClock, getRemainingTimeInMillis: () => Number.NaN }, 'unknown', 'returned NaN'],
    [
      'a throwing getRemainingTimeInMillis',
      {
        ...noClock,
        getRemainingTimeInMillis: () => {
          throw new Error('no clock here')
        },
      },
      'unknown',
      'context.getRemainingTimeInMillis() threw (Error: no clock here)',
    ],
    ['a deadline already past', { ...noClock, getRemainingTimeInMillis: () => -20 }, 'expired', 'returned -20 at the start'],
  ])('keeps the function working with %s, enforces nothing, and warns once', async (_label, context, status, says) => {
    const stderr = captureStderr()
    const first = await report(context)
    const second = await report(context)
    expect(first).toEqual({ status, remaining: Number.POSITIVE_INFINITY, fits: true, aborted: false })
    expect(second).toEqual(first)
    expect(stderr.lines()).toHaveLength(1)
    expect(stderr.lines()[0]).toMatchObject({ level: 'WARN', package: '@middy-deadline/deadline', status })
    expect(stderr.lines()[0]?.message).toContain(says)
    expect(stderr.lines()[0]?.message).toContain('nothing is enforced')
  })

  it('treats zero remaining time as expired too, without repeating the warning', async () => {
    const stderr = captureStderr()
    expect(await report({ ...noClock, getRemainingTimeInMillis: () => 0 })).toMatchObject({ status: 'expired', aborted: false })
    expect(stderr.lines()).toEqual([])
  })

  it('keeps the function working when the context cannot take `deadline` (frozen, or its own fixed `deadline`)', async () => {
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => [ctx.deadline, currentDeadline()?.status], {
      timeoutEarlyInMillis: 0,
    }).use(deadline())
    const frozen = Object.freeze(createLambdaContext<DeadlineContext>())
    const fixed = Object.defineProperty(createLambdaContext<DeadlineContext>(), 'deadline', { value: 'mine', enumerable: true })
    expect(await handler({}, frozen)).toEqual([undefined, 'running'])
    expect(await handler({}, fixed)).toEqual(['mine', 'running'])
  })

  it('works with an empty context object', async () => {
    captureStderr()
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => ctx.deadline.status).use(deadline())
    expect(await handler({}, {} as DeadlineContext)).toBe('unknown')
  })
})

describe("deadline with Middy's durable context", () => {
  it("reads the remaining time from the Lambda context that Middy's durable mode wraps", async () => {
    const lambdaContext = createLambdaContext<DeadlineContext>({ timeoutMs: 2000, awsRequestId: 'durable-1' })
    const handler = middy(
      async (_e: unknown, ctx: DeadlineContext) => [ctx.deadline.status, ctx.deadline.budgetMs, ctx.deadline.requestId],
      {
        timeoutEarlyInMillis: 0,
      },
    ).use(deadline())
    const [status, budget, requestId] = await handler({}, { lambdaContext } as unknown as DeadlineContext)
    expect(status).toBe('running')
    expect(budget).toBeGreaterThan(1990)
    expect(requestId).toBe('durable-1')
  })
})

describe('deadlinePlugin with a null context', () => {
  it('lets the invocation fail with Middy’s own TypeError: the plugin, which runs before Middy reads the context, throws nothing of its own', async () => {
    const handler = middy(async () => 'never', deadlinePlugin())
    const error = await handler({}, null as unknown as DeadlineContext).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(/Cannot read properties of null \(reading 'getRemainingTimeInMillis'\)/)
  })
})

describe('deadlinePlugin with a plugin runner that passes no request', () => {
  it('creates nothing and does not throw: Middy always passes it, but its 6.x types declare requestStart without it', () => {
    const plugin = deadlinePlugin()
    expect(() => plugin.requestStart()).not.toThrow()
    expect(currentDeadline()).toBeUndefined()
  })
})
