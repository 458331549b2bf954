import middy from '@middy/core'
import { type DeadlineContext, DeadlineTimeoutError } from '@middy-deadline/deadline'
import {
  ContinuationError,
  createDurationEstimator,
  ItemAbandonedError,
  remainingTimeBudget,
  runWithinBudget,
} from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'
import { sleep } from './events.js'

afterEach(() => {
  vi.useRealTimers()
})

const statuses = (outcomes: readonly { status: string }[]) => outcomes.map((o) => o.status)

describe('runWithinBudget', () => {
  it('starts an item only while its expected duration (× safety factor) fits before the cutoff', async () => {
    vi.useFakeTimers()
    const started: number[] = []
    const handler = middy(async (items: number[]) =>
      runWithinBudget(
        items,
        async (item) => {
          started.push(item)
          await sleep(100)
          return item * 2
        },
        { expectedMs: 100, safetyFactor: 2, estimator: false },
      ),
    ).use(remainingTimeBudget({ reserveMs: 100 }))

    const pending = handler([1, 2, 3, 4, 5, 6], createLambdaContext({ timeoutMs: 600 }))
    await vi.runAllTimersAsync()
    const run = await pending
    // cutoff at 500 ms; an item needs 200 ms of room: starts at 0, 100, 200, 300 fit, 400 does not
    expect(started).toEqual([1, 2, 3, 4])
    expect(statuses(run.outcomes)).toEqual(['done', 'done', 'done', 'done', 'not-started', 'not-started'])
    expect(run.outcomes[4]).toMatchObject({ reason: 'no-time', item: 5 })
    expect(run).toMatchObject({ complete: false, rest: [5, 6], cursor: 4, stoppedBy: 'no-time', continued: false })
    expect(run.outcomes[0]).toMatchObject({ status: 'done', value: 2 })
  })

  it('learns the expected duration from finished items: a high percentile, not the mean', async () => {
    vi.useFakeTimers()
    const estimator = createDurationEstimator({ windowSize: 10, percentile: 0.9, minSamples: 3 })
    // nine fast items and one slow one: the mean is 19 ms, the 90th percentile is 10 ms, the max 100
    for (const ms of [10, 10, 10, 10, 10, 10, 10, 10, 10, 100]) estimator.record(ms)
    expect(estimator.estimate()).toBe(10)
    estimator.record(100) // the ring drops the oldest: now two slow items in ten
    expect(estimator.estimate()).toBe(100)

    const context = createLambdaContext({ timeoutMs: 400 })
    const handler = middy(async (items: number[]) => runWithinBudget(items, () => sleep(100), { estimator, safetyFactor: 1 })).use(
      remainingTimeBudget({ reserveMs: 0 }),
    )
    const pending = handler([1, 2, 3, 4, 5], context)
    await vi.runAllTimersAsync()
    const run = await pending
    expect(statuses(run.outcomes)).toEqual(['done', 'done', 'done', 'done', 'not-started'])
  })

  it('runs with bounded concurrency and passes each item a signal that is disposed after it', async () => {
    let running = 0
    let maxRunning = 0
    const signals: AbortSignal[] = []
    const handler = middy(async (items: number[]) =>
      runWithinBudget(
        items,
        async (_item, { signal }) => {
          signals.push(signal)
          running++
          maxRunning = Math.max(maxRunning, running)
          await sleep(20)
          running--
        },
        { concurrency: 3 },
      ),
    ).use(remainingTimeBudget())
    const run = await handler([1, 2, 3, 4, 5, 6, 7], createLambdaContext({ timeoutMs: 1500 }))
    expect(run.complete).toBe(true)
    expect(maxRunning).toBe(3)
    // disposed scopes never abort, even when the invocation ends
    expect(signals.every((s) => !s.aborted)).toBe(true)
  })

  it('stops promptly at the cutoff: started items see the abort, nothing else starts (real timers)', async () => {
    const context = createLambdaContext({ timeoutMs: 600 })
    // Items 1-2 take 10 ms, 3-4 would take 5 s: with the cutoff at 450 ms, 1-2 are done and 3-4
    // running whenever it comes, however late the machine runs timers. (Items of 150 ms each and
    // the cutoff at 250 ms: 1 run in 6 at load 11-12, on Node 22 and on 24, item 2 or item 3 was
    // still running or not yet started at the cutoff.)
    const sawTheAbort: number[] = []
    const handler = middy(async (items: number[]) =>
      runWithinBudget(
        items,
        (item, { signal }) =>
          sleep(item <= 2 ? 10 : 5000, signal).catch((error: unknown) => {
            if (signal.aborted) sawTheAbort.push(item)
            throw error
          }),
        { concurrency: 2, estimator: false },
      ),
    ).use(remainingTimeBudget({ reserveMs: 150 }))
    const startedAt = performance.now()
    const run = await handler([1, 2, 3, 4, 5, 6], context)
    const tookMs = performance.now() - startedAt
    // cutoff at 450 ms: items 1-2 done at ~10, items 3-4 aborted at ~450, 5-6 never started
    expect(statuses(run.outcomes)).toEqual(['done', 'done', 'failed', 'failed', 'not-started', 'not-started'])
    // Stopped by their signal at the cutoff, not abandoned later.
    expect(sawTheAbort).toEqual([3, 4])
    expect(run.outcomes[2]).toMatchObject({ error: expect.any(DeadlineTimeoutError) })
    expect((run.outcomes[2] as { error: unknown }).error).not.toBeInstanceOf(ItemAbandonedError)
    // the items' own scopes and the deadline's signal abort at the same instant: either name is right
    expect(['aborted', 'no-time']).toContain(run.stoppedBy)
    expect(run.outcomes[4]).toMatchObject({ reason: run.stoppedBy })
    expect(tookMs).toBeGreaterThanOrEqual(440)
    // Promptly: a run at all is the proof (was `tookMs < 390`). Had it waited for items 3-4 instead
    // of stopping them, Middy's own timer (5 ms before the hard deadline, alone in its list) would
    // have thrown its TimeoutError; from the cutoff's timer to the answer is promises only.
  })

  it('reports an item that ignores its signal as failed (abandoned), never as done', async () => {
    vi.useFakeTimers()
    let finished = false
    const handler = middy(async (items: number[]) =>
      runWithinBudget(
        items,
        async () => {
          await sleep(1000)
          finished = true
          return 'late'
        },
        { abandonAfterMs: 20 },
      ),
    ).use(remainingTimeBudget({ reserveMs: 100 }))
    const pending = handler([1, 2], createLambdaContext({ timeoutMs: 300 }))
    await vi.advanceTimersByTimeAsync(230)
    const run = await pending
    expect(finished).toBe(false)
    expect(run.outcomes[0]).toMatchObject({ status: 'failed', error: expect.any(ItemAbandonedError) })
    expect(run.outcomes[0]).toMatchObject({
      error: { name: 'TimeoutError', limit: 'cutoff', message: 'item 0 had not settled 20 ms after its signal aborted' },
      // How long the item had run when it was given up: the 200 ms to the cutoff and the 20 ms wait.
      durationMs: expect.toSatisfy((ms: number) => ms >= 0 && ms <= 230),
    })
    expect(run.outcomes[1]).toMatchObject({ status: 'not-started', reason: 'aborted' })
    await vi.runAllTimersAsync()
    expect(finished).toBe(true)
    expect(run.outcomes[0]?.status).toBe('failed')
  })

  it('keeps the order within a key: after a failure, later items of that key are not started', async () => {
    const ran: string[] = []
    const items = ['a1', 'b1', 'a2', 'b2', 'a3', 'c1']
    const handler = middy(async () =>
      runWithinBudget(
        items,
        async (item) => {
          ran.push(item)
          await sleep(5)
          if (item === 'a2') throw new Error('a2 broke')
        },
        { concurrency: 3, orderKey: (item) => item[0] },
      ),
    ).use(remainingTimeBudget())
    const run = await handler({}, createLambdaContext({ timeoutMs: 1500 }))
    expect(ran).not.toContain('a3')
    expect(ran.indexOf('a1')).toBeLessThan(ran.indexOf('a2'))
    expect(run.outcomes.map((o) => [o.item, o.status])).toEqual([
      ['a1', 'done'],
      ['b1', 'done'],
      ['a2', 'failed'],
      ['b2', 'done'],
      ['a3', 'not-started'],
      ['c1', 'done'],
    ])
    expect(run.outcomes[4]).toMatchObject({ reason: 'ordering' })
  })

  it('hands what is left to continueWith before returning', async () => {
    vi.useFakeTimers()
    const handedOn: number[][] = []
    const handler = middy(async (items: number[], context: DeadlineContext) =>
      runWithinBudget(items, () => sleep(100), {
        expectedMs: 100,
        estimator: false,
        deadline: context.deadline,
        continueWith: (rest) => {
          handedOn.push(rest)
        },
      }),
    ).use(remainingTimeBudget({ reserveMs: 100 }))
    const pending = handler([1, 2, 3, 4, 5], createLambdaContext({ timeoutMs: 450 }))
    await vi.runAllTimersAsync()
    const run = await pending
    expect(handedOn).toEqual([[4, 5]])
    expect(run).toMatchObject({ continued: true, rest: [4, 5], cursor: 3 })
  })

  it('fails loudly when continueWith fails, so the rest is never silently lost', async () => {
    vi.useFakeTimers()
    const handler = middy(async (items: number[]) =>
      runWithinBudget(items, () => sleep(100), {
        expectedMs: 100,
        estimator: false,
        continueWith: () => Promise.reject(new Error('queue unavailable')),
      }),
    ).use(remainingTimeBudget({ reserveMs: 0 }))
    const pending = handler([1, 2, 3], createLambdaContext({ timeoutMs: 150 }))
    const assertion = expect(pending).rejects.toMatchObject({ name: 'ContinuationError', rest: [2, 3] })
    await vi.runAllTimersAsync()
    await assertion
    await expect(pending).rejects.toBeInstanceOf(ContinuationError)
  })

  it('runs everything, and says so once, when there is no deadline at all', async () => {
    captureStderr()
    const run = await runWithinBudget([1, 2], async (n) => n + 1)
    expect(run.outcomes.map((o) => (o.status === 'done' ? o.value : undefined))).toEqual([2, 3])
    expect(run.complete).toBe(true)
  })

  it('names the bad option at creation', () => {
    expect(() => runWithinBudget([], async () => {}, { concurrency: 0 })).toThrow(
      /`concurrency` must be a whole number in \[1, 10000\], got 0/,
    )
    expect(() => runWithinBudget([], async () => {}, { safetyFactor: 0.5 })).toThrow(/`safetyFactor`/)
    expect(() => runWithinBudget([], async () => {}, { expectedMs: -1 })).toThrow(/`expectedMs`/)
    expect(() => remainingTimeBudget({ reserveMs: Number.NaN })).toThrow(/`reserveMs`/)
  })
})

describe('learning', () => {
  it('does not learn from items cut short by the cutoff (they would have taken longer)', async () => {
    vi.useFakeTimers()
    const estimator = createDurationEstimator({ minSamples: 1, percentile: 1 })
    const handler = middy(async (items: number[]) =>
      runWithinBudget(items, (item, { signal }) => sleep(item, signal), { estimator, concurrency: 2 }),
    ).use(remainingTimeBudget({ reserveMs: 100 }))
    const pending = handler([50, 1000], createLambdaContext({ timeoutMs: 300 }))
    await vi.runAllTimersAsync()
    const run = await pending
    expect(run.outcomes.map((o) => o.status)).toEqual(['done', 'failed'])
    expect(estimator.samples).toBe(1)
    expect(estimator.estimate()).toBe(50)
  })
})
