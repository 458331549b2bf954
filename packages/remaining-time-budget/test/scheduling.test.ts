import { getEventListeners } from 'node:events'
import middy from '@middy/core'
import { DeadlineTimeoutError } from '@middy-deadline/deadline'
import {
  type BudgetOptions,
  createDurationEstimator,
  type DurationEstimator,
  ItemAbandonedError,
  type ItemFn,
  type RunCallOptions,
  remainingTimeBudget,
  runWithinBudget,
} from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { sleep } from './events.js'
import { settledOnTheFakeClock } from './fake-clock.js'
import { quietStderr } from './quiet-stderr.js'

// How the runner schedules items (which start, why the others did not, what happens to those
// still running when it must stop, and what a run leaves behind), through runWithinBudget inside a
// Middy chain with remainingTimeBudget(), as a handler uses it. None of it writes to stderr, but
// for the one run outside an invocation, which says once that it has no deadline.

const stderr = quietStderr()
afterEach(() => {
  vi.useRealTimers()
})

type Options<TItem, TResult> = Partial<BudgetOptions> & RunCallOptions<TItem, TResult>

/** Runs `items` in one invocation of `timeoutMs` with `reserveMs` kept after the cutoff. */
function invoke<TItem, TResult>(
  items: TItem[],
  fn: ItemFn<TItem, TResult>,
  options: Options<TItem, TResult>,
  { timeoutMs = 60_000, reserveMs = 0 } = {},
) {
  const handler = middy(async (event: TItem[]) => runWithinBudget(event, fn, options)).use(remainingTimeBudget({ reserveMs }))
  return handler(items, createLambdaContext({ timeoutMs }))
}

async function onTheFakeClock<T>(pending: Promise<T>): Promise<T> {
  await settledOnTheFakeClock(pending)
  return pending
}

/** An estimator that answers `value` whatever it has seen: what a broken one of the user's might do. */
const answering = (value: unknown): DurationEstimator => ({ estimate: () => value as number, record: () => {}, samples: 0 })

/** A real estimator that has learned `ms` from one finished item. */
function learned(ms: number): DurationEstimator {
  const estimator = createDurationEstimator({ minSamples: 1 })
  estimator.record(ms)
  return estimator
}

describe('which items start: the learned estimate, within its bounds, else expectedMs', () => {
  // One instant item in a minute of budget: whether it starts says which duration was used.
  const startsWith = async (estimator: DurationEstimator, expectedMs: number) => {
    const run = await invoke([1], async (n) => n, { estimator, expectedMs, safetyFactor: 1 })
    return run.outcomes[0]?.status === 'done' ? 'started' : run.outcomes[0]
  }

  it('uses a learned 0 ms (a measurement, not "nothing learned") where expectedMs would not fit', async () => {
    expect(await startsWith(learned(0), 120_000)).toBe('started')
  })

  it('uses a learned 15 minutes (the longest a Lambda invocation runs) where expectedMs would fit', async () => {
    expect(await startsWith(learned(15 * 60_000), 10)).toMatchObject({ status: 'not-started', reason: 'no-time' })
  })

  it('takes an estimate past 15 minutes, or one that is not a duration, for nothing learned: expectedMs decides', async () => {
    expect(await startsWith(learned(15 * 60_000 + 1), 10)).toBe('started')
    for (const broken of [-1, null, '50', Number.NaN]) {
      expect(await startsWith(answering(broken), 120_000), `estimate ${String(broken)}`).toMatchObject({
        status: 'not-started',
        reason: 'no-time',
      })
    }
  })

  it('with estimator: false uses expectedMs alone, and says nothing about an estimator', async () => {
    const run = await invoke(
      [10, 20, 30],
      async (n) => {
        if (n === 20) throw new Error('item 20 failed')
        return n
      },
      { estimator: false, expectedMs: 10 },
    )
    expect(run.outcomes.map((o) => o.status)).toEqual(['done', 'failed', 'done'])
    expect(await invoke([1], async (n) => n, { estimator: false, expectedMs: 120_000 })).toMatchObject({ stoppedBy: 'no-time' })
  })
})

describe('why an item did not start', () => {
  // a and b are order keys; x and y have none.
  const items = ['a1', 'b1', 'a2', 'x', 'b2', 'y']
  const orderKey = (item: string) => (item === 'x' || item === 'y' ? undefined : item.slice(0, 1))

  it('says the stop reason for the first of each key and for items without one, and `ordering` for the later ones of a key', async () => {
    const stopped = new AbortController()
    stopped.abort(new Error('shutting down'))
    const aborted = await invoke(items, async (item) => item, { orderKey, signal: stopped.signal })
    const noTime = await invoke(items, async (item) => item, { orderKey, estimator: false, expectedMs: 120_000 })
    for (const [run, reason] of [
      [aborted, 'aborted'],
      [noTime, 'no-time'],
    ] as const) {
      expect(run.stoppedBy).toBe(reason)
      expect(run.outcomes.map((o) => [o.item, o.status === 'not-started' ? o.reason : o.status])).toEqual([
        ['a1', reason],
        ['b1', reason],
        ['a2', 'ordering'],
        ['x', reason],
        ['b2', 'ordering'],
        ['y', reason],
      ])
    }
  })

  it('keeps `no-time` as the reason the run stopped when the cutoff then aborts an item still running', async () => {
    vi.useFakeTimers()
    // Cutoff at 900 ms; two at a time, 100 ms expected. At 850 the first item is done and the
    // third no longer fits (50 ms left); the second still runs until the cutoff aborts it.
    const run = await onTheFakeClock(
      invoke(
        [850, 5000, 10],
        (ms, { signal }) => sleep(ms, signal),
        { concurrency: 2, estimator: false, expectedMs: 100, safetyFactor: 1 },
        {
          timeoutMs: 1000,
          reserveMs: 100,
        },
      ),
    )
    expect(run.stoppedBy).toBe('no-time')
    expect(run.outcomes.map((o) => (o.status === 'not-started' ? o.reason : o.status))).toEqual(['done', 'failed', 'no-time'])
    expect(run.outcomes[1]).toMatchObject({ error: { name: 'TimeoutError', limit: 'cutoff' } })
  })
})

describe('items that run when the run must stop', () => {
  it("abort through their signal at the cutoff, with the cutoff's reason", async () => {
    vi.useFakeTimers()
    const abortedAt: number[] = []
    const run = await onTheFakeClock(
      invoke(
        [1],
        (_item, { signal }) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              abortedAt.push(performance.now())
              reject(signal.reason)
            })
          }),
        {},
        { timeoutMs: 1000, reserveMs: 200 },
      ),
    )
    expect(abortedAt).toEqual([800])
    const outcome = run.outcomes[0] as { error: unknown }
    expect(outcome.error).toBeInstanceOf(DeadlineTimeoutError)
    expect(outcome.error).not.toBeInstanceOf(ItemAbandonedError)
    expect(outcome.error).toMatchObject({ limit: 'cutoff', message: expect.stringMatching(/^invocation cutoff reached after 800 ms/) })
  })

  it('keep their own outcome when they settle within abandonAfterMs of the cutoff, even ignoring their signal', async () => {
    vi.useFakeTimers()
    // Cutoff at 800 ms, 50 ms of wait: the item ignores its signal and is done at 830.
    const run = await onTheFakeClock(
      invoke([830], (ms) => sleep(ms).then(() => 'late but in time'), { abandonAfterMs: 50 }, { timeoutMs: 1000, reserveMs: 200 }),
    )
    expect(run.outcomes[0]).toMatchObject({ status: 'done', value: 'late but in time', durationMs: 830 })
  })

  it('are abandoned abandonAfterMs after the cutoff, with how long they had run since they started', async () => {
    vi.useFakeTimers()
    // The first item takes 100 ms; the second starts then and ignores its signal: abandoned at 850.
    const run = await onTheFakeClock(invoke([100, 10_000], (ms) => sleep(ms), { abandonAfterMs: 50 }, { timeoutMs: 1000, reserveMs: 200 }))
    expect(run.outcomes[1]).toMatchObject({ status: 'failed', error: expect.any(ItemAbandonedError), durationMs: 750 })
    expect(run.outcomes[1]).toMatchObject({ error: { limit: 'cutoff', message: 'item 1 had not settled 50 ms after its signal aborted' } })
  })

  it("outside an invocation, are abandoned after the caller's signal as an operation's limit, not the cutoff", async () => {
    vi.useFakeTimers()
    const caller = new AbortController()
    setTimeout(() => caller.abort(new Error('shutting down')), 10)
    const run = await onTheFakeClock(runWithinBudget([10_000, 1], (ms) => sleep(ms), { signal: caller.signal, abandonAfterMs: 50 }))
    expect(run).toMatchObject({ stoppedBy: 'aborted', complete: false })
    expect(run.outcomes[0]).toMatchObject({ status: 'failed', durationMs: 60 })
    const { error } = run.outcomes[0] as { error: unknown }
    expect(error).toBeInstanceOf(ItemAbandonedError)
    expect(error).toMatchObject({ limit: 'operation', message: 'item 0 had not settled 50 ms after its signal aborted' })
    expect(run.outcomes[1]).toMatchObject({ status: 'not-started', reason: 'aborted' })
    stderr.said([
      {
        level: 'WARN',
        package: '@middy-deadline/remaining-time-budget',
        message: 'no deadline found (no middleware of ours, no `deadline` option): items run without a time budget',
      },
    ])
  })
})

describe('an item function', () => {
  it('that throws instead of returning a rejected promise fails its own item only', async () => {
    const run = await invoke(
      [1, 2, 3],
      (n: number) => {
        if (n === 2) throw new Error('item 2 threw')
        return n * 10
      },
      {},
    )
    expect(
      run.outcomes.map((o) => (o.status === 'done' ? o.value : o.status === 'failed' ? (o.error as Error).message : o.status)),
    ).toEqual([10, 'item 2 threw', 30])
  })
})

describe('what a run leaves behind', () => {
  it("no listener on a caller's signal that outlives it (one signal for the whole process, say)", async () => {
    const shutdown = new AbortController()
    for (let call = 0; call < 3; call++) {
      const run = await invoke([1, 2], async (n) => n, { signal: shutdown.signal, concurrency: 2 })
      expect(run.complete).toBe(true)
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0)
  })

  it("no timer, once what ran settled within the wait, after both the cutoff and the caller's signal aborted", async () => {
    vi.useFakeTimers()
    // Cutoff at 800 ms, the caller aborts at 810, the item (ignoring both) is done at 820: the
    // wait armed at the cutoff (until 850) must go with the run, and no second one be armed.
    const caller = new AbortController()
    setTimeout(() => caller.abort(new Error('shutting down')), 810)
    const pending = invoke(
      [820],
      (ms) => sleep(ms).then(() => 'done in the wait'),
      { signal: caller.signal, abandonAfterMs: 50 },
      {
        timeoutMs: 1000,
        reserveMs: 200,
      },
    )
    await vi.advanceTimersByTimeAsync(825)
    const run = await pending
    expect(run.outcomes[0]).toMatchObject({ status: 'done', value: 'done in the wait' })
    expect(vi.getTimerCount()).toBe(0)
  })
})
