import { setTimeout as sleep } from 'node:timers/promises'
import middy from '@middy/core'
import { type Deadline, type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { reachCutoff, scheduleAfter } from '@middy-deadline/deadline/internal'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { sqsBatch } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import type { Context } from 'aws-lambda'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_TIMER_MS } from '../packages/deadline/src/timer.js'
import { captureStdoutInEachTest } from '../packages/graceful-timeout/test/capture.js'

// A remaining time above what a Node timer holds (2^31-1 ms, about 24.8 days) cannot come from
// Lambda (15 minutes at most), but can from another host or a hand-made context. Node fires such a
// timer after 1 ms, with a TimeoutOverflowWarning. Decision: the deadline keeps the time it was
// given, and every timer we arm from it waits in steps of at most 2^31-1 ms, re-armed until due.
// Each row is one place where we arm a timer from a deadline-derived delay.

const stdout = captureStdoutInEachTest()
const HUGE = [2 ** 31, 2 ** 31 + 5_000, 30 * 24 * 3600 * 1000, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, 1e300]

const warnings: string[] = []
const onWarning = (warning: Error) => warnings.push(warning.name)
beforeEach(() => {
  warnings.length = 0
  process.on('warning', onWarning)
})
afterEach(() => {
  process.off('warning', onWarning)
  vi.useRealTimers()
})

/**
 * A context that says `remainingMs` and keeps counting down from it: hand-made, as only another host
 * has such a time (createLambdaContext takes Lambda's timeouts, 15 minutes at most).
 */
const contextWith = (remainingMs: number): DeadlineContext & Context => {
  const deadlineAt = Date.now() + remainingMs
  return { ...createLambdaContext<DeadlineContext & Context>(), getRemainingTimeInMillis: () => deadlineAt - Date.now() }
}

interface Observed {
  /** Whatever the row's timers would have cut: all must still be running after the wait. */
  cut: boolean
}

const sites: [site: string, run: (remainingMs: number) => Promise<Observed>][] = [
  [
    "the deadline's cutoff timer (signal, onCutoff)",
    async (remainingMs) => {
      let reached = false
      const handler = middy(
        async (_event: unknown, context: DeadlineContext) => {
          context.deadline.onCutoff(() => {
            reached = true
          })
          await sleep(30)
          return context.deadline.signal.aborted || reached
        },
        { timeoutEarlyInMillis: 0 },
      ).use(deadline({ reserveMs: 500 }))
      return { cut: await handler({}, contextWith(remainingMs)) }
    },
  ],
  [
    'a deadline scope (every outbound call and batch record)',
    async (remainingMs) => {
      const handler = middy(
        async (_event: unknown, context: DeadlineContext) => {
          const scopes = [context.deadline.scope(), context.deadline.scope(2 ** 32), context.deadline.timeout(remainingMs)]
          await sleep(30)
          return scopes.some((scope) => (scope instanceof AbortSignal ? scope : scope.signal).aborted)
        },
        { timeoutEarlyInMillis: 0 },
      ).use(deadline())
      return { cut: await handler({}, contextWith(remainingMs)) }
    },
  ],
  [
    "graceful-timeout's onTimeout hooks (their share of the time left)",
    async (remainingMs) => {
      let hookAborted: boolean | undefined
      const graceful = gracefulTimeout({
        reserveMs: 50,
        onTimeout: async (_request, { signal }) => {
          await sleep(30)
          hookAborted = signal.aborted
        },
      })
      const handler = middy(
        async (_event: unknown, context: DeadlineContext) => {
          // As Middy's own early timeout or a user's code may: the cutoff comes now, with a
          // remaining time far beyond what a timer holds.
          reachCutoff(context.deadline)
          await sleep(80)
          return 'answered'
        },
        { timeoutEarlyInMillis: 0 },
      ).use(graceful)
      await handler({}, contextWith(remainingMs))
      const outOfTime = stdout.warnings().some((w) => String(w.message).includes('did not finish in its share'))
      return { cut: hookAborted !== false || outOfTime }
    },
  ],
  [
    "a batch's records (runner, item scopes) and its answer",
    async (remainingMs) => {
      const signals: AbortSignal[] = []
      const handler = sqsBatch(async (_record, { signal }) => {
        signals.push(signal)
        await sleep(30)
        signal.throwIfAborted()
      })
      const records = ['m1', 'm2'].map((messageId) => ({ messageId, body: '' }))
      const answer = await handler({ Records: records } as never, contextWith(remainingMs))
      return { cut: answer.batchItemFailures.length > 0 || signals.some((s) => s.aborted) }
    },
  ],
  [
    "@middy-deadline/testing's kill timer (invokeWithTimeout)",
    async (remainingMs) => {
      const outcome = await invokeWithTimeout(async () => sleep(30, 'done'), {}, { context: contextWith(remainingMs) })
      return { cut: outcome.status !== 'succeeded' }
    },
  ],
]

describe('a remaining time above what a Node timer holds', () => {
  describe.each(sites)('%s', (_site, run) => {
    it.each(HUGE)('with %d ms left: nothing fires early, no TimeoutOverflowWarning', async (remainingMs) => {
      expect(await run(remainingMs)).toEqual({ cut: false })
      // Node emits a warning on the next tick: one turn of the event loop later, it is out.
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings).not.toContain('TimeoutOverflowWarning')
    })
  })

  it('still reaches the cutoff at its time: the cutoff timer is re-armed in steps (fake clock)', async () => {
    vi.useFakeTimers()
    const remainingMs = 2 ** 31 + 5_000
    let cutoffAt: number | undefined
    let found: Deadline | undefined
    const handler = middy(
      async (_event: unknown, context: DeadlineContext) => {
        found = context.deadline
        context.deadline.onCutoff((d) => {
          cutoffAt = d.elapsed()
        })
        await new Promise((resolve) => context.deadline.signal.addEventListener('abort', resolve))
      },
      { timeoutEarlyInMillis: 0 },
    ).use(deadline({ reserveMs: 500 }))
    const pending = handler({}, contextWith(remainingMs))
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS)
    expect(cutoffAt).toBeUndefined()
    await vi.advanceTimersByTimeAsync(remainingMs - 500 - MAX_TIMER_MS - 2)
    expect(cutoffAt).toBeUndefined()
    expect(found?.signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(2)
    expect(cutoffAt).toBe(remainingMs - 500)
    await vi.runAllTimersAsync()
    await pending
  })

  it('scheduleAfter waits the whole delay however long, and less than 1 ms means right after this phase', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] })
    const fired: string[] = []
    scheduleAfter(3 * MAX_TIMER_MS + 7, () => fired.push('long'))
    const cancel = scheduleAfter(2 * MAX_TIMER_MS, () => fired.push('cancelled'))
    scheduleAfter(0.4, () => fired.push('immediate'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(fired).toEqual(['immediate'])
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS)
    cancel()
    await vi.advanceTimersByTimeAsync(2 * MAX_TIMER_MS + 6)
    expect(fired).toEqual(['immediate'])
    await vi.advanceTimersByTimeAsync(1)
    expect(fired).toEqual(['immediate', 'long'])
    await vi.runAllTimersAsync()
    expect(fired).toEqual(['immediate', 'long'])
  })
})
