import type { DurableContext } from '@aws/durable-execution-sdk-js'
import middy from '@middy/core'
import { type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { invocationHasTimeFor, stepWithinBudget } from '@middy-deadline/remaining-time-budget/durable'
import { createLambdaContext } from '@middy-deadline/testing'
import type { Context } from 'aws-lambda'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

afterEach(() => {
  vi.useRealTimers()
})

// A stand-in for the durable context that records the operations it is asked for: enough to
// check the decision; the SDK's own behaviour is exercised in durable.test.ts.
function recordingContext(lambdaContext: Partial<Context>) {
  const operations: { type: 'step' | 'wait'; name: string; value?: unknown }[] = []
  const context = {
    lambdaContext,
    step: async (name: string, fn: (ctx: object) => Promise<unknown>) => {
      const value = await fn({})
      operations.push({ type: 'step', name, value })
      return value
    },
    wait: async (name: string, duration: { seconds: number }) => {
      operations.push({ type: 'wait', name, value: duration.seconds })
    },
  }
  return { context: context as unknown as DurableContext, operations }
}

describe('stepWithinBudget', () => {
  it('uses the shared deadline when one is running, and yields until the old invocation would have ended', async () => {
    vi.useFakeTimers()
    const lambdaContext = createLambdaContext({ timeoutMs: 60_000 })
    const handler = middy(async (_event: unknown, ctx: Context) => {
      const { context, operations } = recordingContext(ctx as DeadlineContext)
      await stepWithinBudget(context, 'first', async () => 'a', { expectedMs: 30_000 })
      vi.advanceTimersByTime(30_000)
      await stepWithinBudget(context, 'second', async () => 'b', { expectedMs: 30_000 })
      return operations
    }).use(deadline({ reserveMs: 5_000 }))
    const operations = await handler({}, lambdaContext)
    expect(operations).toEqual([
      { type: 'step', name: 'first:budget', value: { decision: 'run', remainingMs: 55_000, needMs: 31_500, waitSeconds: 0 } },
      { type: 'step', name: 'first', value: 'a' },
      { type: 'step', name: 'second:budget', value: { decision: 'yield', remainingMs: 25_000, needMs: 31_500, waitSeconds: 30 } },
      { type: 'wait', name: 'second:yield', value: 30 },
      { type: 'step', name: 'second', value: 'b' },
    ])
  })

  it('runs the step unchecked, and says so once, when no remaining time is known', async () => {
    const stderr = captureStderr()
    const { context, operations } = recordingContext({})
    await stepWithinBudget(context, 'blind', async () => 1, { expectedMs: 1000 })
    // Not a number of milliseconds either: NaN.
    const { context: nan, operations: nanOperations } = recordingContext({ getRemainingTimeInMillis: () => Number.NaN })
    await stepWithinBudget(nan, 'nan', async () => 2, { expectedMs: 1000 })
    // The checkpointed decision says that nothing was known.
    const unchecked = { decision: 'run', remainingMs: null, needMs: 1050, waitSeconds: 0 }
    expect(operations).toEqual([
      { type: 'step', name: 'blind:budget', value: unchecked },
      { type: 'step', name: 'blind', value: 1 },
    ])
    expect(nanOperations).toEqual([
      { type: 'step', name: 'nan:budget', value: unchecked },
      { type: 'step', name: 'nan', value: 2 },
    ])
    expect(stderr.lines()).toEqual([
      {
        level: 'WARN',
        package: '@middy-deadline/remaining-time-budget',
        message: 'the durable context has no usable lambdaContext.getRemainingTimeInMillis(): steps start unchecked',
      },
    ])
    expect(invocationHasTimeFor(context, 10 * 60_000)).toBe(true)
  })

  it('runs a step whose need is exactly what is left before the reserve', async () => {
    const { context, operations } = recordingContext({ getRemainingTimeInMillis: () => 11_000 })
    await stepWithinBudget(context, 'exact', async () => 'ran', { expectedMs: 10_000, safetyFactor: 1 })
    await stepWithinBudget(context, 'over', async () => 'ran later', { expectedMs: 10_001, safetyFactor: 1 })
    expect(operations.map((o) => [o.name, (o.value as { decision?: string }).decision ?? o.value])).toEqual([
      ['exact:budget', 'run'],
      ['exact', 'ran'],
      ['over:budget', 'yield'],
      ['over:yield', 11],
      ['over', 'ran later'],
    ])
  })

  it("reads the durable context's clock when the shared deadline knows no time (its Lambda context had none)", async () => {
    captureStderr()
    // The chain's context has no getRemainingTimeInMillis: its deadline is `unknown` and enforces nothing.
    const handler = middy(async () => {
      const { context, operations } = recordingContext({ getRemainingTimeInMillis: () => 5_000 })
      await stepWithinBudget(context, 'long', async () => 'ran', { expectedMs: 10_000 })
      return operations
    }).use(deadline())
    const operations = await handler({}, { awsRequestId: 'no-clock' } as Context)
    expect(operations[0]).toEqual({
      type: 'step',
      name: 'long:budget',
      value: { decision: 'yield', remainingMs: 4_000, needMs: 10_500, waitSeconds: 5 },
    })
  })

  it('answers invocationHasTimeFor from lambdaContext minus the reserve', () => {
    const { context } = recordingContext({ getRemainingTimeInMillis: () => 10_000 })
    expect(invocationHasTimeFor(context, 9_000)).toBe(true)
    expect(invocationHasTimeFor(context, 9_001)).toBe(false)
    expect(invocationHasTimeFor(context, 9_500, 0)).toBe(true)
  })

  it('names the bad option', async () => {
    const { context } = recordingContext({})
    await expect(stepWithinBudget(context, 'x', async () => 1, { expectedMs: 0 })).rejects.toThrow(/`expectedMs`/)
    await expect(stepWithinBudget(context, 'x', async () => 1, { expectedMs: 1, minYieldSeconds: 0.5 })).rejects.toThrow(
      /`minYieldSeconds`/,
    )
    await expect(stepWithinBudget(context, 'x', async () => 1, { expectedMs: 1, safetyFactor: 0.9 })).rejects.toThrow(/`safetyFactor`/)
  })
})
