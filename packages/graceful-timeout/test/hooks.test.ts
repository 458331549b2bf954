import { setTimeout as delay } from 'node:timers/promises'
import middy from '@middy/core'
import { type Deadline, type DeadlineContext, deadlinePlugin } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { answersOnceHookRan, captureStdoutInEachTest, overrunsHonouringSignal } from './capture.js'

const stdout = captureStdoutInEachTest()

describe('onTimeout hooks', () => {
  it('run in order; one that throws or hangs is logged and never stops the others or the answer', async () => {
    const steps: string[] = []
    let hangSignal: AbortSignal | undefined
    const handler = middy(overrunsHonouringSignal).use(
      gracefulTimeout({
        // A 1 s reserve in a 2 s function: the hanging hook's share ends ~400 ms before the hard
        // deadline, which a loaded machine's late timers do not reach (with 300 of 1000 ms it was
        // ~100 ms, and the answer came after the hard deadline one run in six at load 10).
        reserveMs: 1000,
        onTimeout: [
          function saveCheckpoint() {
            steps.push('saveCheckpoint')
            throw new Error('store unavailable')
          },
          function notifyOps(_request, { signal }) {
            steps.push('notifyOps')
            hangSignal = signal
            return new Promise(() => {})
          },
          async function flushLogs(_request, { record }) {
            steps.push(`flushLogs saw ${record.requestId}`)
          },
        ],
      }),
    )
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 2000, awsRequestId: 'req-h' })
    expect(outcome.status).toBe('failed')
    expect(outcome.status === 'failed' && outcome.settledBeforeHardDeadlineMs).toBeGreaterThan(0)
    expect(steps).toEqual(['saveCheckpoint', 'notifyOps', 'flushLogs saw req-h'])
    expect(hangSignal?.aborted).toBe(true)
    expect(stdout.warnings().map((w) => [w.hook, w.message])).toEqual([
      ['saveCheckpoint', 'onTimeout hook failed'],
      ['notifyOps', 'onTimeout hook did not finish in its share of the remaining time'],
    ])
  })

  it('are named in warnings by their place in the list when they have no name, and a hook past its share learns why from its signal', async () => {
    let reason: unknown
    // A 700 ms reserve in a 1 s function: the hooks start 100 ms after the cutoff with about 550 ms
    // to share, which an event loop 300-450 ms late does not use up (with 300 of 1000 ms it did:
    // every hook was skipped at load 8-12).
    const handler = middy(overrunsHonouringSignal).use(
      gracefulTimeout({
        reserveMs: 700,
        onTimeout: [
          () => {
            throw new Error('no name')
          },
          (_request, { signal }) =>
            new Promise<void>((resolve) =>
              signal.addEventListener('abort', () => {
                reason = signal.reason
                resolve()
              }),
            ),
          // A name that is not a string (a class's static `name`, say).
          Object.defineProperty(
            () => {
              throw new Error('odd name')
            },
            'name',
            { value: 42 },
          ),
        ],
      }),
    )
    await invokeWithTimeout(handler, {}, { timeoutMs: 1000, awsRequestId: 'req-anon' })
    const warnings = stdout.warnings()
    expect(warnings.map((w) => [w.hook, w.message, w.requestId])).toEqual([
      ['onTimeout[0]', 'onTimeout hook failed', 'req-anon'],
      ['onTimeout[1]', 'onTimeout hook did not finish in its share of the remaining time', 'req-anon'],
      ['onTimeout[2]', 'onTimeout hook failed', 'req-anon'],
    ])
    const shareMs = warnings[1]?.shareMs
    expect(shareMs).toBeGreaterThan(0)
    expect(reason).toMatchObject({
      name: 'TimeoutError',
      limit: 'operation',
      message: `onTimeout hook onTimeout[1] ran out of time after ${shareMs} ms`,
    })
  })

  it('share what is left equally: a hook that hangs takes its own share, and the next one gets what is left after it', async () => {
    // On the deadline's clock, what was left before the hard deadline: at the cutoff, as each hook
    // started, and as the first one's share ran out. Each share is what was left when it was given
    // (between the readings before and after that moment), less the 40 ms margin, divided among
    // the hooks still to run. Not "the second about the same as the first": the first's timer fired
    // late at load 10-14, and the second got 43 ms against the first's 157.
    const left = { atCutoff: 0, starts: [] as number[], firstOut: 0 }
    const hangs = (_request: unknown, { deadline, signal }: { deadline: Deadline; signal: AbortSignal }) => {
      left.starts.push(deadline.remainingToHardDeadline())
      return new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => {
          if (left.starts.length === 1) left.firstOut = deadline.remainingToHardDeadline()
          resolve()
        }),
      )
    }
    const handler = middy(async (event: unknown, context: DeadlineContext) => {
      context.deadline.onCutoff(() => {
        left.atCutoff = context.deadline.remainingToHardDeadline()
      })
      return overrunsHonouringSignal(event, context)
    }).use(gracefulTimeout({ reserveMs: 400, onTimeout: [hangs, hangs] }))
    await invokeWithTimeout(handler, {}, { timeoutMs: 1000 })
    const shares = stdout.warnings().map((w) => w.shareMs as number)
    expect(shares).toHaveLength(2)
    expect(left.starts).toHaveLength(2)
    const [first, second] = shares as [number, number]
    const [firstStart, secondStart] = left.starts as [number, number]
    // The first gets half of what is left (rounded up to the ms)...
    expect(first).toBeGreaterThanOrEqual((firstStart - 40) / 2)
    expect(first).toBeLessThanOrEqual((left.atCutoff - 40) / 2 + 1)
    // ...and once it has used it, the second gets all that is left.
    expect(second).toBeGreaterThanOrEqual(secondStart - 40)
    expect(second).toBeLessThanOrEqual(left.firstOut - 40 + 1)
  })

  it('start a grace after the cutoff when the handler ignores the signal: not before it, and well before the end of the reserve', async () => {
    // Real timers; the grace's length (20 % of the reserve, at most 100 ms) is checked exactly on the
    // fake clock below. Here: never before the grace, on the deadline's clock, and before a timer of
    // the test's due 240 ms after the cutoff as it was due (the grace: 60 ms; the hard deadline:
    // 300), a gap no late loop bridges. As first written, with timers at 40 and 80 ms around the
    // grace, all three became 0 ms timers (run in the order armed) when the cutoff fired 60 ms late.
    const steps: string[] = []
    const { handler: answersOnceTheHookRan, hook } = answersOnceHookRan(steps, 'hook')
    let hookStartedMs = Number.NaN
    const handler = middy(
      async (_event: unknown, context: DeadlineContext) => {
        context.deadline.onCutoff(() => {
          const nearTheEnd = setTimeout(() => steps.push('240 ms after the cutoff'), 240 - context.deadline.sinceCutoff())
          context.deadline.onEnd(() => clearTimeout(nearTheEnd))
        })
        return answersOnceTheHookRan()
      },
      { timeoutEarlyInMillis: 0 },
    ).use(
      gracefulTimeout({
        reserveMs: 300,
        onTimeout: (_request, { deadline }) => {
          hookStartedMs = deadline.sinceCutoff()
          hook()
        },
      }),
    )
    await invokeWithTimeout(handler, {}, { timeoutMs: 1000 })
    // The invocation ended once the hook had run, and with it the test's timer.
    expect(steps).toEqual(['hook', 'handler done'])
    // 1 ms of timer tolerance.
    expect(hookStartedMs).toBeGreaterThanOrEqual(59)
  })

  it('skip, with a warning, the hooks left when an earlier one used up the time before the hard deadline', async () => {
    const steps: string[] = []
    const handler = middy(overrunsHonouringSignal).use(
      gracefulTimeout({
        // The cutoff 300 ms in: the first hook starts with about 550 ms left before the hard
        // deadline, however late the event loop (up to ~500 ms) brings it (with 200 of 600 ms, a
        // loop 200 ms late left none, and the first hook was skipped too).
        reserveMs: 700,
        onTimeout: [
          function renderReport(_request, { deadline }) {
            steps.push('renderReport')
            // Synchronous work until past the hard deadline, on the deadline's own clock: no timer
            // can cut it short.
            while (deadline.remainingToHardDeadline() > 0) {}
          },
          function notifyOps() {
            steps.push('notifyOps')
          },
        ],
      }),
    )
    await invokeWithTimeout(handler, {}, { timeoutMs: 1000, awsRequestId: 'req-late' })
    expect(steps).toEqual(['renderReport'])
    expect(stdout.warnings().map((w) => [w.hook, w.message, w.requestId])).toEqual([
      ['notifyOps', 'onTimeout hook skipped: no time left before the hard deadline', 'req-late'],
    ])
  })

  it('keep their time in the reserve when the event loop was blocked past the cutoff: the grace counts from the cutoff as it was due', async () => {
    // Real timers: the ordering the fake-clock tests below check exactly, with no bound a late
    // timer can break. The grace (100 ms) is used up by the time the cutoff's timer fires, so the
    // hooks start at once: before a timer of the test's armed right after ours at that moment and
    // due 57 ms later (a duration no other timer here has: Node runs late timers list by list, one
    // list per duration). Counted from the late timer, the grace would start them 100 ms later;
    // waiting for the handler's own cleanup (100 ms), too.
    let hooksStartedBefore57Ms: boolean | undefined
    let flushed = false
    const handler = middy(async (_event: unknown, context: DeadlineContext) => {
      let testTimerFired = false
      context.deadline.onCutoff(() => {
        const testTimer = setTimeout(() => {
          testTimerFired = true
        }, 57)
        context.deadline.onEnd(() => clearTimeout(testTimer))
      })
      hookSawTestTimer = () => testTimerFired
      // Synchronous work until 100 ms past the cutoff: the cutoff's timer fires that late.
      while (context.deadline.remainingToHardDeadline() > 400) {}
      try {
        await delay(3000, undefined, { signal: context.deadline.signal })
      } finally {
        // The handler's own cleanup, longer than the 57 ms: the hooks start without waiting for it.
        await delay(100)
      }
    }).use(
      gracefulTimeout({
        reserveMs: 500,
        onTimeout: async function flushLogs() {
          hooksStartedBefore57Ms = !hookSawTestTimer()
          // Well within what is left of the reserve (about 350 ms before the 50 ms margin).
          await delay(20)
          flushed = true
        },
      }),
    )
    let hookSawTestTimer: () => boolean = () => true
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200 })
    expect(outcome).toMatchObject({ status: 'failed', error: { name: 'TimeoutError' } })
    expect(hooksStartedBefore57Ms).toBe(true)
    expect(flushed).toBe(true)
    expect(stdout.warnings()).toEqual([])
  })

  describe('on a fake clock', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    /**
     * Blocks the event loop for `ms` of the fake clock: time moves on, and the timers due meanwhile
     * fire once, late, when it ends (fake-timers' `jump`; vitest's own helpers fire them on time).
     */
    const blockEventLoop = (ms: number) => (Date as unknown as { clock: { jump(ms: number): number } }).clock.jump(ms)

    // [reserve, grace]: 20 % of the reserve, at most 100 ms.
    it.each([
      [200, 40],
      [300, 60],
      [500, 100],
      [1000, 100],
    ])(
      'with a reserve of %i ms, a handler that ignores the signal has a grace of %i ms before the hooks start',
      async (reserveMs, graceMs) => {
        vi.useFakeTimers()
        const hookStarts: number[] = []
        const handler = middy(() => new Promise((resolve) => setTimeout(resolve, 5000)), { timeoutEarlyInMillis: 0 }).use(
          gracefulTimeout({ reserveMs, onTimeout: (_request, { deadline }) => void hookStarts.push(deadline.sinceCutoff()) }),
        )
        const pending = invokeWithTimeout(handler, {}, { timeoutMs: 2000 })
        await vi.advanceTimersByTimeAsync(2000)
        expect(await pending).toMatchObject({ status: 'killed' })
        expect(hookStarts).toEqual([graceMs])
      },
    )

    // [blocked past the cutoff, when the hooks start after the cutoff as it was due]: the rest of
    // the grace (100 ms) once the late timer fires, or, with the grace used up, a timer of 0 ms
    // (Node's 1 ms) after the loop is free. Counted from the late timer, the grace would start them
    // at 140, 200 and 250 ms.
    it.each([
      [40, 100],
      [100, 101],
      [150, 151],
    ])(
      'with the event loop blocked %i ms past the cutoff: the hooks start at %i ms after the cutoff as it was due, and have the rest of the reserve',
      async (lateMs, startMs) => {
        vi.useFakeTimers()
        const hookStarts: number[] = []
        const handler = middy(async (_event: unknown, context: DeadlineContext) => {
          await new Promise((resolve) => context.deadline.signal.addEventListener('abort', resolve))
          // The handler's own cleanup, 150 ms: the hooks do not wait for it.
          await new Promise((resolve) => setTimeout(resolve, 150))
          throw context.deadline.signal.reason
        }).use(
          gracefulTimeout({
            reserveMs: 500,
            onTimeout: function flushLogs(_request, { deadline, signal }) {
              hookStarts.push(deadline.sinceCutoff())
              // Hangs: its share, in the warning, is the time it had.
              return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
            },
          }),
        )
        const pending = invokeWithTimeout(handler, {}, { timeoutMs: 1200 })
        // The cutoff is due at 700 ms; the loop is blocked from 690 ms to `lateMs` past it.
        await vi.advanceTimersByTimeAsync(690)
        blockEventLoop(10 + lateMs)
        await vi.advanceTimersByTimeAsync(600)
        const outcome = await pending
        expect(hookStarts).toEqual([startMs])
        // All that is left to the hard deadline (500 ms after the cutoff) less the 50 ms margin for
        // answering; the answer comes as that share ends, 50 ms before the hard deadline.
        expect(stdout.warnings().map((w) => [w.hook, w.shareMs])).toEqual([['flushLogs', 500 - startMs - 50]])
        expect(outcome).toMatchObject({ status: 'failed', error: { name: 'TimeoutError' }, settledBeforeHardDeadlineMs: 50 })
      },
    )
  })

  it('get the request, so they can reach what the handler left on it', async () => {
    const seen: unknown[] = []
    // The cutoff 400 ms in, as before, with 600 ms of reserve: the hook still has time with the
    // event loop 300-450 ms late (with 200 of 600 ms it was skipped: no time left).
    const handler = middy(async (event: { orderId: string }, context: DeadlineContext) => {
      await delay(3000, undefined, { signal: context.deadline.signal })
      return event.orderId
    }).use(gracefulTimeout({ reserveMs: 600, onTimeout: (request) => seen.push(request.event) }))
    await invokeWithTimeout(handler, { orderId: 'o-1' }, { timeoutMs: 1000 })
    expect(seen).toEqual([{ orderId: 'o-1' }])
  })

  it('start after a short grace when the handler ignores the signal, before the invocation is settled', async () => {
    const steps: string[] = []
    const { handler, hook } = answersOnceHookRan(steps, 'hook')
    const outcome = await invokeWithTimeout(
      middy(handler, { timeoutEarlyInMillis: 0 }).use(gracefulTimeout({ reserveMs: 300, onTimeout: hook })),
      {},
      { timeoutMs: 1000 },
    )
    // The handler answered after the cutoff but before the hard deadline: its answer stands.
    expect(outcome).toMatchObject({ status: 'succeeded', response: 'late' })
    expect(steps).toEqual(['hook', 'handler done'])
  })

  it('run before the answer even when an inner after answers early and skips ours (with the plugin hooks)', async () => {
    const steps: string[] = []
    const graceful = gracefulTimeout({ reserveMs: 400, onTimeout: () => steps.push('hook') })
    // The deadline's plugin hooks alone (requestEnd ends the deadline), without moving Middy's
    // early timeout to the cutoff, where it would race this handler's answer.
    let halfTheGracePassed = false
    const handler = middy(async (_e: unknown, context: DeadlineContext) => {
      // Stops right at the cutoff and answers with what it has.
      await new Promise((resolve) => context.deadline.signal.addEventListener('abort', resolve))
      // A timer of the test's, due halfway through the 80 ms grace (counted from the cutoff as it
      // was due, as the grace is). From here to the answer is promises only: no timer fires in
      // between, however late a loaded machine runs the cutoff's timer, unless the answer waited
      // for one. (`durationMs < 660` failed when the cutoff's timer itself ran 60 ms late.)
      const halfway = setTimeout(
        () => {
          halfTheGracePassed = true
        },
        Math.max(0, 40 - context.deadline.sinceCutoff()),
      )
      context.deadline.onEnd(() => clearTimeout(halfway))
      return 'partial'
    }, deadlinePlugin())
      .use(graceful)
      .use({ after: () => 'cached answer' })
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1000 })
    expect(outcome).toMatchObject({ status: 'succeeded', response: 'cached answer' })
    // Answered, hooks included, before the grace would have started them.
    expect(halfTheGracePassed).toBe(false)
    expect(steps).toEqual(['hook'])
  })
})
