import { setTimeout as delay } from 'node:timers/promises'
import middy from '@middy/core'
import { currentDeadline, type DeadlineContext } from '@middy-deadline/deadline'
import { GracefulTimeoutError, gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type HardDeadlineNear, hardDeadlineNear } from '../../../test/support/hard-deadline.js'
import { timerAtMiddysTimeout } from '../../../test/support/middy-timer.js'
import { type Captured, captureStdout, overrunsHonouringSignal } from './capture.js'

let stdout: Captured
let unhandled: unknown[]
const onUnhandled = (reason: unknown) => unhandled.push(reason)
beforeEach(() => {
  stdout = captureStdout()
  unhandled = []
  process.on('unhandledRejection', onUnhandled)
})
afterEach(() => {
  process.off('unhandledRejection', onUnhandled)
  stdout.restore()
})

/** A handler that never looks at the signal, and fails just after the hard deadline (600 ms by default). */
function ignoresSignal(steps: string[], failsAfterMs = 650) {
  return async () => {
    const wentOn = delay(failsAfterMs).then(() => {
      steps.push('abandoned handler went on')
    })
    abandoned.push(wentOn)
    await wentOn
    throw new Error('late failure nobody waits for')
  }
}

/** The handlers of the test that ignored the signal, each done once it has gone on past the end. */
let abandoned: Promise<void>[] = []

/**
 * Waits until every abandoned handler of the test has thrown its late failure, and one turn more:
 * Node reports an unhandled rejection once the microtasks of that turn have run. Then the failure
 * happened inside this test, and `unhandled` says whether anything let it through.
 */
async function abandonedHandlersThrew(): Promise<void> {
  await Promise.all(abandoned)
  abandoned = []
  await new Promise((resolve) => setImmediate(resolve))
}

describe('gracefulTimeout with @middy/core’s early timeout', () => {
  it('with Middy’s default 5 ms: a handler that ignores the signal is settled 5 ms before the end, hooks and record done at the cutoff', async () => {
    const steps: string[] = []
    // 500 ms of reserve in 1200: the hook's window (from the grace's end to the margin) is 350 ms,
    // not 140 as with 200 in 600, where a cutoff timer that a loaded machine ran late left it no
    // time at all: the hook was skipped (1 run in 6 at load 10).
    const graceful = gracefulTimeout({ reserveMs: 500, onTimeout: () => steps.push('hook') })
    const outcome = await invokeWithTimeout(middy(ignoresSignal(steps, 1250)).use(graceful), {}, { timeoutMs: 1200 })
    // 5 ms do not absorb a timer that a loaded machine runs late: the answer then comes after the
    // hard deadline, which Lambda (and invokeWithTimeout) calls a kill. The hooks and the record
    // came at the cutoff either way: that is what graceful.plugin is recommended for.
    if (outcome.status !== 'killed') expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
    expect(outcome.durationMs).toBeGreaterThan(1170)
    const [record] = stdout.records()
    expect(record?.trigger).toBe('cutoff')
    expect(record?.elapsedMs).toBeLessThan(1000)
    // The hook ran at the cutoff (after its grace), before the abandoned handler went on at 1250
    // ms. Read then, not as the outcome comes: when a loaded machine runs the cutoff's timer late,
    // near the hard deadline, the grace timer it arms comes due after the kill.
    await abandonedHandlersThrew()
    expect(steps).toEqual(['hook', 'abandoned handler went on'])
  })

  it('with graceful.plugin: a handler that ignores the signal is settled at the cutoff', async () => {
    const steps: string[] = []
    // 500 ms of reserve in 1200 (not 200 in 600): settled at the cutoff plus its 100 ms grace,
    // 400 ms before the hard deadline, further than a loaded machine's timers run late.
    const graceful = gracefulTimeout({ reserveMs: 500, onTimeout: () => steps.push('hook') })
    const handler = middy(ignoresSignal(steps, 1250), graceful.plugin).use(graceful)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200 })
    expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
    expect(outcome.durationMs).toBeGreaterThanOrEqual(690)
    expect(outcome.durationMs).toBeLessThan(1050)
    expect(steps).toEqual(['hook'])
    expect(stdout.records()).toHaveLength(1)
    // The abandoned handler fails later: no unhandled rejection, no second record.
    await abandonedHandlersThrew()
    expect(steps).toEqual(['hook', 'abandoned handler went on'])
    expect(unhandled).toEqual([])
    expect(stdout.records()).toHaveLength(1)
  })

  it('with graceful.plugin: a handler that stops at the cutoff and answers with what it has keeps its answer', async () => {
    // The grace counts from the cutoff as it was due: a cutoff timer that a loaded machine runs
    // late has used part of it. 400 ms of reserve give an 80 ms grace (200 gave 40, and at load 15
    // the late timer had eaten it two runs in three).
    const graceful = gracefulTimeout({ reserveMs: 400 })
    const handler = middy(async (_e: unknown, context: DeadlineContext) => {
      const rows: number[] = []
      try {
        for (let i = 0; ; i++) {
          await delay(20, undefined, { signal: context.deadline.signal })
          rows.push(i)
        }
      } catch {
        // The handler's own async cleanup, inside the grace Middy's race now waits for.
        await delay(5)
        return { partial: true, rows: rows.length }
      }
    }, graceful.plugin).use(graceful)
    for (let run = 0; run < 3; run++) {
      const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 800 })
      expect(outcome).toMatchObject({ status: 'succeeded', response: { partial: true } })
    }
  })

  it('the plugin records which middleware or the handler was running', async () => {
    const graceful = gracefulTimeout({ reserveMs: 200 })
    const slowSetup = {
      before: async function loadConfigBefore(request: { context: DeadlineContext }) {
        await delay(3000, undefined, { signal: request.context.deadline.signal })
      },
    }
    const handler = middy(async () => 'never', graceful.plugin)
      .use(graceful)
      .use(slowSetup)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1000 })
    expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
    expect(stdout.records()[0]?.phase).toBe('loadConfigBefore')
  })

  it('names a middleware function without a name `anonymous` in the record, as the timing logger does', async () => {
    const graceful = gracefulTimeout({ reserveMs: 200 })
    // An arrow function taken out of an array has no name to infer: Middy's hooks see ''.
    const [unnamed] = [
      async (request: { context: DeadlineContext }) => {
        await delay(3000, undefined, { signal: request.context.deadline.signal })
      },
    ]
    const handler = middy(async () => 'never', graceful.plugin)
      .use(graceful)
      .use({ before: unnamed })
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 600 })
    expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
    const [record] = stdout.records()
    expect(record?.phase).toBe('anonymous')
    expect(record?.message).toMatch(/ ms before the hard timeout, in anonymous$/)
  })

  it('when Middy’s early timeout is larger than our reserve, it fires first and counts as the cutoff', async () => {
    const steps: string[] = []
    const graceful = gracefulTimeout({ reserveMs: 200, onTimeout: () => steps.push('hook') })
    // Middy's timer at 400 ms, our cutoff at 1000: 600 ms apart (200 in a 600 ms function were
    // not enough for a loaded machine's late timers).
    const handler = middy(ignoresSignal(steps, 1250), { timeoutEarlyInMillis: 800 }).use(graceful)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200 })
    expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
    expect(outcome.durationMs).toBeGreaterThanOrEqual(390)
    expect(outcome.durationMs).toBeLessThan(990)
    expect(steps).toEqual(['hook'])
    const records = stdout.records()
    expect(records).toHaveLength(1)
    expect(records[0]?.trigger).toBe('middy-timeout')
    await abandonedHandlersThrew()
    expect(unhandled).toEqual([])
  })

  it('when the deadline caps the reserve on a short function, the plugin still waits for the real cutoff', async () => {
    // 1200 ms function, 1000 ms asked: the deadline keeps at most half (600 ms); Middy's timer,
    // fixed at 1000 ms, would fire at 200 ms. (Was 500 of 600: the answer, at the cutoff plus the
    // grace, had 140 ms of room below its bound that a loaded machine's late timers overran.)
    const graceful = gracefulTimeout({ reserveMs: 1000 })
    const handler = middy(ignoresSignal([], 1250), graceful.plugin).use(graceful)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200 })
    expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
    expect(outcome.durationMs).toBeGreaterThanOrEqual(590)
    expect(outcome.durationMs).toBeLessThan(1000)
    const [record] = stdout.records()
    expect(record?.trigger).toBe('cutoff')
    // Half of the budget the invocation started with: under 1200 by however late a loaded machine
    // started the deadline (the record's budget is rounded to the ms).
    expect(Math.abs((record?.reserveMs as number) - (record?.budgetMs as number) / 2)).toBeLessThanOrEqual(0.5)
    expect(record?.reserveMs).toBeLessThanOrEqual(600)
    await abandonedHandlersThrew()
    expect(unhandled).toEqual([])
  })

  it('with timeoutEarlyInMillis 0: a handler that honours the signal still settles at the cutoff', async () => {
    // 500 ms of reserve in 1200, as above: the answer at the cutoff (700 ms) has 350 ms to spare.
    const handler = middy(overrunsHonouringSignal, { timeoutEarlyInMillis: 0 }).use(gracefulTimeout({ reserveMs: 500 }))
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200 })
    expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
    expect(outcome.durationMs).toBeLessThan(1050)
  })

  it('with timeoutEarlyInMillis 0: a handler that ignores the signal is killed, but hooks and record ran at the cutoff', async () => {
    const steps: string[] = []
    // 500 ms of reserve in 1200, as with Middy's default above.
    const handler = middy(ignoresSignal(steps, 1250), { timeoutEarlyInMillis: 0 }).use(
      gracefulTimeout({ reserveMs: 500, onTimeout: () => steps.push('hook') }),
    )
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200 })
    expect(outcome.status).toBe('killed')
    expect(stdout.records()).toHaveLength(1)
    // As with Middy's default: the hook ran before the abandoned handler went on, whether or not
    // the kill came before the grace timer on a late loop.
    await abandonedHandlersThrew()
    expect(steps).toEqual(['hook', 'abandoned handler went on'])
  })

  // Found by the composition matrix: the grace was counted from Middy's timer, not from the cutoff,
  // so the answer came after the margin, often after the hard deadline itself.
  it('with graceful.plugin and Middy’s early timeout set below the reserve: settled by the margin, not a full grace after Middy’s timer', async () => {
    const graceful = gracefulTimeout({ reserveMs: 500 })
    // Middy's timer at 1060 ms, 360 ms after our cutoff at 700: a full grace (100 ms) from there
    // would end at 1160, past the margin (50 ms before the hard deadline at 1200). Middy's timer
    // 140 ms before the hard deadline, not 50: a loaded 2-core machine ran it more than 50 ms late,
    // and an answer after the hard deadline is a kill, whatever the plugin did.
    const twentyMsLater = timerAtMiddysTimeout(graceful.plugin, 20)
    const { timeoutEarlyResponse } = twentyMsLater
    const handler = middy(ignoresSignal([], 1250), { ...graceful.plugin, timeoutEarlyInMillis: 140, timeoutEarlyResponse }).use(graceful)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200 })
    expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
    // Settled as Middy's timer fired (the grace since the cutoff was long over), not a grace later.
    expect(twentyMsLater.fired()).toBe(false)
    await abandonedHandlersThrew()
  })

  it('graceful.plugin alone, without the middleware: the handler is settled at the cutoff with the deadline’s TimeoutError, not killed', async () => {
    const steps: string[] = []
    // 500 ms of reserve in 1200 (not 200 in 600): the answer, a 100 ms grace after the cutoff,
    // comes 400 ms before the hard deadline, further than a loaded machine's timers run late.
    const graceful = gracefulTimeout({ reserveMs: 500, onTimeout: () => steps.push('hook') })
    let abortedAtMs: number | undefined
    let cutoffMs: number | undefined
    let abortedInTheReservesFirstHalf: boolean | undefined
    let nearTheEnd: HardDeadlineNear | undefined
    const handler = middy(async (_event: unknown, context: DeadlineContext) => {
      // Timers of the test's, due 250 and 50 ms before the hard deadline: orderings instead of
      // bounds in ms, with gaps of 250 ms to the cutoff and to the answer that a late loop's
      // list-by-list order of timers does not bridge (test/support/hard-deadline.ts).
      const halfway = hardDeadlineNear(context.deadline, 250)
      nearTheEnd = hardDeadlineNear(context.deadline, 50)
      context.deadline.onEnd(halfway.cancel)
      context.deadline.signal.addEventListener('abort', () => {
        abortedAtMs = context.deadline.elapsed()
        // On the deadline's own clock: its budget is what was left when it started, which a loaded
        // machine does a few ms after the context's clock.
        cutoffMs = context.deadline.budgetMs - context.deadline.reserveMs
        abortedInTheReservesFirstHalf = !halfway.passed
      })
      return ignoresSignal(steps, 1250)()
    }, graceful.plugin)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200 })
    const settledBeforeTheMargin = !nearTheEnd?.passed
    nearTheEnd?.cancel()
    expect(outcome.status).toBe('failed')
    expect(outcome.status === 'failed' && outcome.error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
    expect(outcome.durationMs).toBeGreaterThanOrEqual(690)
    expect(settledBeforeTheMargin).toBe(true)
    // The signal aborted at the cutoff; the record, the hooks and timeoutResponse are the middleware's.
    expect(abortedAtMs).toBeGreaterThanOrEqual((cutoffMs as number) - 1)
    expect(abortedInTheReservesFirstHalf).toBe(true)
    expect(stdout.records()).toHaveLength(0)
    await abandonedHandlersThrew()
    expect(steps).toEqual(['abandoned handler went on'])
  })

  it('graceful.plugin with a plugin runner that passes no request to requestStart: creates nothing, does not throw', () => {
    // Middy 6 and 7 always pass it; Middy 6's types declare requestStart without it.
    const { plugin } = gracefulTimeout({ reserveMs: 200 })
    expect(() => plugin.requestStart()).not.toThrow()
    expect(currentDeadline()).toBeUndefined()
  })

  it('with graceful.plugin, a handler that said it answers by itself keeps the race past the grace, up to the margin before the hard deadline', async () => {
    const graceful = gracefulTimeout({ reserveMs: 400 })
    // Cutoff at 600 ms, grace 80 ms, answer margin 40 ms: the race may run until 960 ms.
    const answersLate = middy(async (_e: unknown, context: DeadlineContext) => {
      context.deadline.expectAnswer()
      await new Promise((resolve) => context.deadline.signal.addEventListener('abort', resolve))
      // Past the grace (80 ms), well before the margin (360 ms after the cutoff): a partial answer,
      // as a batch handler gives. Its timer is due before the race's last one, so it wins.
      await delay(150 - context.deadline.sinceCutoff())
      return 'partial'
    }, graceful.plugin).use(graceful)
    const events: unknown[] = []
    let lastTimer: () => void = () => {}
    const lastTimerRan = new Promise<void>((resolve) => {
      lastTimer = resolve
    })
    const neverAnswers = middy(async (_e: unknown, context: DeadlineContext) => {
      context.deadline.expectAnswer()
      // Due 20 ms before the hard deadline, after the margin: the race must have settled before
      // this one runs. Each of the two timers is alone in its list (Node runs late timers list by
      // list) and the path from the plugin's to onError is promises only: the order holds however
      // late the loop is (checked with it blocked 300 ms just before the margin).
      context.deadline.onCutoff(() =>
        setTimeout(() => {
          events.push('20 ms before the hard deadline')
          lastTimer()
        }, context.deadline.remainingToHardDeadline() - 20),
      )
      await new Promise(() => {})
    }, graceful.plugin)
      .use({ onError: (request) => void events.push(request.error) })
      .use(graceful)
    expect(await invokeWithTimeout(answersLate, {}, { timeoutMs: 1000 })).toMatchObject({ status: 'succeeded', response: 'partial' })
    await invokeWithTimeout(neverAnswers, {}, { timeoutMs: 1000 })
    await lastTimerRan
    expect(events).toEqual([expect.any(GracefulTimeoutError), '20 ms before the hard deadline'])
  })

  it('graceful.plugin’s early response in an invocation without a deadline behaves as Middy’s own', async () => {
    // Middy's two options taken from the plugin, without its hooks and without the middleware.
    // Middy's timer at 700 ms of 1200 (not 400 of 600), far enough from the hard deadline.
    const { timeoutEarlyInMillis, timeoutEarlyResponse } = gracefulTimeout({ reserveMs: 500 }).plugin
    const handler = middy(ignoresSignal([], 1250), { timeoutEarlyInMillis, timeoutEarlyResponse })
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200 })
    expect(outcome.status === 'failed' && outcome.error).toMatchObject({
      name: 'TimeoutError',
      message: 'The handler did not settle before the early timeout',
      cause: { package: '@middy/core' },
    })
    expect(outcome.durationMs).toBeLessThan(1000)
    await abandonedHandlersThrew()
  })
})
