import middy from '@middy/core'
import { DeadlineOptionError } from '@middy-deadline/deadline'
import { budgetRunner, remainingTimeBudget, runWithinBudget } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

/** An item that takes `ms` unless its signal aborts first; says how it ended. */
const honours =
  (ms: number) =>
  (_item: unknown, { signal }: { signal: AbortSignal }) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve('finished'), ms)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        reject(signal.reason)
      })
    })

describe('itemTimeoutMs', () => {
  it('aborts the signal of an item that runs past its own limit, in an invocation, and the other items go on', async () => {
    const handler = middy(async (items: number[]) =>
      runWithinBudget(items, async (item, options) => honours(item)(item, options), {
        itemTimeoutMs: 100,
        expectedMs: 1,
        estimator: false,
      }),
    ).use(remainingTimeBudget({ reserveMs: 100 }))
    const run = await handler([20, 1000, 30], createLambdaContext({ timeoutMs: 3000 }))
    expect(run.outcomes.map((o) => o.status)).toEqual(['done', 'failed', 'done'])
    expect(run.outcomes[1]).toMatchObject({ error: { name: 'TimeoutError' } })
    const cut = run.outcomes[1] as { durationMs: number }
    expect(cut.durationMs).toBeGreaterThanOrEqual(95)
    expect(cut.durationMs).toBeLessThan(900)
  })

  it('works outside an invocation too: with no limit at all, alone, and together with a signal of the caller’s', async () => {
    const unbounded = await runWithinBudget([1, 2], async (item: number, { signal }) => (signal.aborted ? -1 : item * 2), {
      expectedMs: 1,
      estimator: false,
    })
    expect(unbounded.outcomes.map((o) => [o.status, (o as { value?: number }).value])).toEqual([
      ['done', 2],
      ['done', 4],
    ])
    const timed = await runWithinBudget([20, 1000], (item: number, options) => honours(item)(item, options), {
      itemTimeoutMs: 100,
      expectedMs: 1,
      estimator: false,
    })
    expect(timed.outcomes.map((o) => o.status)).toEqual(['done', 'failed'])
    expect(timed.outcomes[1]).toMatchObject({ error: { name: 'TimeoutError' } })

    const caller = new AbortController()
    const both = runWithinBudget([1000, 1000], (item: number, options) => honours(item)(item, options), {
      itemTimeoutMs: 500,
      signal: caller.signal,
      expectedMs: 1,
      estimator: false,
    })
    setTimeout(() => caller.abort(new Error('shutting down')), 50)
    const stopped = await both
    // One at a time (the default concurrency): the second never started.
    expect(stopped.outcomes.map((o) => [o.status, (o as { error?: Error }).error?.message])).toEqual([
      ['failed', 'shutting down'],
      ['not-started', undefined],
    ])
  })
})

describe('orderKey', () => {
  it('runs an item whose key cannot be computed without an ordering constraint, and says so once', async () => {
    const stderr = captureStderr()
    const run = await runWithinBudget(['a1', 'b1', 'a2'], async (item: string) => item.toUpperCase(), {
      expectedMs: 1,
      estimator: false,
      orderKey: (item) => {
        if (item !== 'a1') throw new Error(`no key for ${item}`)
        return 'a'
      },
    })
    expect(run.outcomes.map((o) => [o.status, (o as { value?: string }).value])).toEqual([
      ['done', 'A1'],
      ['done', 'B1'],
      ['done', 'A2'],
    ])
    expect(stderr.lines()).toEqual([
      {
        level: 'WARN',
        package: '@middy-deadline/remaining-time-budget',
        message: 'orderKey failed; the item runs without an ordering constraint',
        error: 'Error: no key for b1',
      },
    ])
  })
})

describe('estimator', () => {
  it('is refused at creation unless it comes from createDurationEstimator() or is false', () => {
    expect(() => budgetRunner({ estimator: {} as never })).toThrow(
      '@middy-deadline/remaining-time-budget: option `estimator` must come from createDurationEstimator() or be false',
    )
    expect(() => runWithinBudget([], async () => 1, { estimator: { estimate: 5 } as never })).toThrow(DeadlineOptionError)
  })
})
