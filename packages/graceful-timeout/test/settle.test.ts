import { setTimeout as delay } from 'node:timers/promises'
import middy from '@middy/core'
import { type DeadlineContext, DeadlineTimeoutError } from '@middy-deadline/deadline'
import { GracefulTimeoutError, gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { type HardDeadlineNear, hardDeadlineNear } from '../../../test/support/hard-deadline.js'
import { watchTimers } from '../../../test/support/timers.js'
import { captureStdoutInEachTest } from './capture.js'

const stdout = captureStdoutInEachTest()

/** A handler that would run 3 s, honouring the deadline's signal, with a `finally` of its own. */
function slowHandler(steps: string[]) {
  return async (_event: unknown, context: DeadlineContext) => {
    try {
      await delay(3000, undefined, { signal: context.deadline.signal })
      return 'done'
    } finally {
      steps.push('handler finally')
    }
  }
}

describe('gracefulTimeout', () => {
  it('without it, a 1 s function that would run 3 s is killed, or cut 5 ms before the end by Middy', async () => {
    const steps: string[] = []
    const app = async () => {
      try {
        await delay(3000)
      } finally {
        steps.push('finally')
      }
    }
    const bare = await invokeWithTimeout(app, {}, { timeoutMs: 400 })
    expect(bare.status).toBe('killed')
    expect(bare.status === 'killed' && bare.message).toBe('Task timed out after 0.40 seconds')

    // Middy's own early timeout answers 5 ms before the hard deadline (or, when its timer is that
    // late on a loaded machine, the answer comes after it and Lambda kills the invocation), but the
    // handler never ran its finally and nothing was flushed or logged.
    const withMiddy = await invokeWithTimeout(middy(app), {}, { timeoutMs: 400 })
    expect(['failed', 'killed']).toContain(withMiddy.status)
    expect(withMiddy.durationMs).toBeGreaterThan(380)
    expect(steps).toEqual([])
    expect(stdout.lines()).toEqual([])
  })

  it('settles a 1 s function that would run 3 s at the cutoff: finally ran, hooks in order, one record', async () => {
    const timers = watchTimers()
    const steps: string[] = []
    let remainingAtCutoff = Number.NaN
    let nearTheEnd: HardDeadlineNear | undefined
    const handler = middy(async (event: unknown, context: DeadlineContext) => {
      // Due 10 ms before the hard deadline, 290 ms after the cutoff's timer (armed just before it).
      nearTheEnd = hardDeadlineNear(context.deadline)
      // Runs right after the middleware's own cutoff listener, at the same moment.
      context.deadline.onCutoff(() => {
        remainingAtCutoff = context.deadline.remainingToHardDeadline()
      })
      return slowHandler(steps)(event, context)
    }).use(
      gracefulTimeout({
        reserveMs: 300,
        onTimeout: [
          async () => {
            await delay(20)
            steps.push('hook 1')
          },
          () => steps.push('hook 2'),
        ],
      }),
    )
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1000, awsRequestId: 'req-1' })

    expect(outcome.status).toBe('failed')
    if (outcome.status !== 'failed') return
    expect(outcome.error).toBeInstanceOf(GracefulTimeoutError)
    // Safe to show in a response body (http-error-handler answers 504 with it); the details are in the record.
    expect(outcome.error).toMatchObject({
      name: 'TimeoutError',
      message: 'Timed out: the function stopped before its time limit',
      limit: 'cutoff',
      statusCode: 504,
      expose: true,
      requestId: 'req-1',
    })
    expect(outcome.durationMs).toBeGreaterThanOrEqual(690)
    // Answered before the hard deadline, on the cutoff's timer and not some later wake-up: before a
    // timer due 10 ms before it had fired (was `durationMs < 950`: 950.72 at load 12-14).
    expect(nearTheEnd?.passed).toBe(false)
    nearTheEnd?.cancel()
    expect(steps).toEqual(['handler finally', 'hook 1', 'hook 2'])
    const records = stdout.records()
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ requestId: 'req-1', source: 'main', trigger: 'cutoff', phase: 'handler', reserveMs: 300 })
    // Not before the cutoff on the deadline's own clock (it starts a few ms after the context's on a
    // loaded machine: its budget is what was left then); 1 ms of timer tolerance, both rounded.
    expect(records[0]?.elapsedMs).toBeGreaterThanOrEqual((records[0]?.budgetMs as number) - 300 - 2)
    // Written at the cutoff, however late its timer fired (was `remainingMs > 200`: a cutoff timer
    // 100 ms late failed it): no later than a listener of the handler's that runs right after the
    // middleware's (writing the record took up to 9 ms in between at load 10), not after the grace
    // or the hooks (20 ms and more later). Rounded to the ms.
    expect(records[0]?.remainingMs).toBeGreaterThanOrEqual(remainingAtCutoff - 1)

    // The next invocation in the same process is clean: no record, no hook, no timer of the last one.
    const next = await invokeWithTimeout(
      middy(async () => 'fast').use(gracefulTimeout({ reserveMs: 300, onTimeout: () => steps.push('stray hook') })),
      {},
      { timeoutMs: 1000 },
    )
    expect(next.status).toBe('succeeded')
    // Nothing of either invocation is left armed to act later.
    expect(await timers.left()).toBe(0)
    expect(stdout.records()).toHaveLength(1)
    expect(steps).not.toContain('stray hook')
  })

  it('keeps the cause: the error the handler ended with, and the deadline reason under it', async () => {
    const handler = middy(async (_e: unknown, context: DeadlineContext) => {
      try {
        await delay(3000, undefined, { signal: context.deadline.signal })
      } catch (error) {
        throw new Error('could not load the order', { cause: error })
      }
    }).use(gracefulTimeout({ reserveMs: 200 }))
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 400 })
    expect(outcome.status).toBe('failed')
    const error = (outcome.status === 'failed' ? outcome.error : undefined) as GracefulTimeoutError
    expect(error).toBeInstanceOf(GracefulTimeoutError)
    expect((error.cause as Error).message).toBe('could not load the order')
    // timers/promises rejects with an AbortError whose cause is the deadline's reason.
    const abort = (error.cause as Error).cause as Error
    expect(abort.name).toBe('AbortError')
    expect(abort.cause).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
  })

  it('ends with timeoutResponse when one is given', async () => {
    // 400 ms of reserve in 800 (not 200 in 400): the answer at the cutoff must come before the
    // hard deadline, and a loaded machine ran the cutoff's timer 200 ms late (1 run in 6, load 13).
    const handler = middy(slowHandler([])).use(
      gracefulTimeout({
        reserveMs: 400,
        timeoutResponse: (request) => ({ statusCode: 504, body: `gave up on ${(request.event as { id: string }).id}` }),
      }),
    )
    const outcome = await invokeWithTimeout(handler, { id: 'order-7' }, { timeoutMs: 800 })
    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 504, body: 'gave up on order-7' } })
  })

  it('ends with the error of a timeoutResponse that throws', async () => {
    const handler = middy(slowHandler([])).use(
      gracefulTimeout({
        reserveMs: 400,
        timeoutResponse: () => {
          throw new Error('no fallback today')
        },
      }),
    )
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 800, awsRequestId: 'req-no-fallback' })
    expect(outcome.status === 'failed' && (outcome.error as Error).message).toBe('no fallback today')
    expect(stdout.warnings()).toEqual([
      expect.objectContaining({
        message: 'timeoutResponse failed; ending with its error',
        error: 'Error: no fallback today',
        requestId: 'req-no-fallback',
      }),
    ])
  })

  it('leaves the function’s own errors alone, before and after the cutoff', async () => {
    const hooks: string[] = []
    const early = middy(async () => {
      throw new Error('bad input')
    }).use(gracefulTimeout({ reserveMs: 200, onTimeout: () => hooks.push('hook') }))
    const outcome = await invokeWithTimeout(early, {}, { timeoutMs: 400 })
    expect(outcome.status === 'failed' && (outcome.error as Error).message).toBe('bad input')

    const late = middy(async (_e: unknown, context: DeadlineContext) => {
      await delay(3000, undefined, { signal: context.deadline.signal }).catch(() => {})
      throw new Error('validation failed')
    }).use(gracefulTimeout({ reserveMs: 200 }))
    const lateOutcome = await invokeWithTimeout(late, {}, { timeoutMs: 400 })
    expect(lateOutcome.status === 'failed' && (lateOutcome.error as Error).message).toBe('validation failed')
    expect(stdout.records()).toHaveLength(1)
    // An error before the cutoff is no timeout: the hooks are for the cutoff only.
    expect(hooks).toEqual([])
  })

  it('tells the timeout from errors that look like one: before the cutoff they are the function’s own, after it they are the timeout', async () => {
    const lookalikes = () => [
      // A call refused because too little time was left for it (as the outbound package refuses one).
      new DeadlineTimeoutError('not enough time left for the export', 'cutoff'),
      // A client that aborted with an error of its own, and a timeout of someone else's.
      new DOMException('The operation was aborted', 'AbortError'),
      new DOMException('The operation timed out', 'TimeoutError'),
      // An error of Middy's that is not its early timeout (Middy 7 says so of a middleware without a phase).
      new Error('Middleware must be an object containing at least one key among "before", "after", "onError"', {
        cause: { package: '@middy/core' },
      }),
    ]
    for (const [index, thrown] of lookalikes().entries()) {
      const early = middy(async () => {
        throw thrown
      }).use(gracefulTimeout({ reserveMs: 200 }))
      const outcome = await invokeWithTimeout(early, {}, { timeoutMs: 400, awsRequestId: `req-early-${index}` })
      expect(outcome.status === 'failed' && outcome.error).toBe(thrown)
    }
    expect(stdout.records()).toEqual([])
    for (const [index, thrown] of lookalikes().slice(1, 3).entries()) {
      const late = middy(async (_e: unknown, context: DeadlineContext) => {
        await new Promise((resolve) => context.deadline.signal.addEventListener('abort', resolve))
        throw thrown
      }).use(gracefulTimeout({ reserveMs: 200 }))
      const outcome = await invokeWithTimeout(late, {}, { timeoutMs: 400, awsRequestId: `req-late-${index}` })
      expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
      expect(outcome.status === 'failed' && (outcome.error as Error).cause).toBe(thrown)
    }
    expect(stdout.records().map((record) => [record.requestId, record.trigger])).toEqual([
      ['req-late-0', 'cutoff'],
      ['req-late-1', 'cutoff'],
    ])
  })

  it('takes a call refused after the event loop was blocked past the cutoff for the timeout, before the cutoff’s timer could fire: its record, its hooks, the 504', async () => {
    const refusals = [
      // The deadline refuses the next call: the cutoff's time has come (limit: 'cutoff').
      (context: DeadlineContext) => context.deadline.timeout(50).throwIfAborted(),
      // A client that checks the time left itself and aborts with an error of its own.
      () => {
        throw new DOMException('The operation was aborted', 'AbortError')
      },
    ]
    for (const [index, refuse] of refusals.entries()) {
      for (const withPlugin of [false, true]) {
        const requestId = `req-blocked-${index}-${withPlugin ? 'plugin' : 'alone'}`
        const hooks: string[] = []
        let thrown: unknown
        const graceful = gracefulTimeout({ reserveMs: 500, onTimeout: (request) => hooks.push(request.context.awsRequestId) })
        const handler = middy(
          async (_e: unknown, context: DeadlineContext) => {
            // Synchronous work until 100 ms past the cutoff: its timer cannot fire meanwhile.
            while (context.deadline.remainingToHardDeadline() > 400) {}
            try {
              refuse(context)
            } catch (error) {
              thrown = error
              throw error
            }
            return 'done'
          },
          withPlugin ? graceful.plugin : undefined,
        ).use(graceful)
        const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200, awsRequestId: requestId })
        expect(outcome.status === 'failed' && outcome.error, requestId).toBeInstanceOf(GracefulTimeoutError)
        expect(outcome.status === 'failed' && (outcome.error as Error).cause, requestId).toBe(thrown)
        expect(thrown, requestId).toMatchObject({ name: index === 0 ? 'TimeoutError' : 'AbortError' })
        // As at any cutoff: one record, written then, and the hooks.
        expect(
          stdout.records().filter((record) => record.requestId === requestId),
          requestId,
        ).toMatchObject([{ trigger: 'cutoff' }])
        expect(hooks, requestId).toEqual([requestId])
      }
    }
  })

  it('settles a handler that finds its signal aborted after blocking the event loop past the cutoff, before the cutoff’s timer could fire: its record (in the handler), its hooks, the 504', async () => {
    for (const withPlugin of [false, true]) {
      const requestId = `req-blocked-signal-${withPlugin ? 'plugin' : 'alone'}`
      const hooks: string[] = []
      const graceful = gracefulTimeout({ reserveMs: 500, onTimeout: (request) => hooks.push(request.context.awsRequestId) })
      const handler = middy(
        async (_e: unknown, context: DeadlineContext) => {
          // Synchronous work until 100 ms past the cutoff, then the check a careful loop makes.
          while (context.deadline.remainingToHardDeadline() > 400) {}
          context.deadline.signal.throwIfAborted()
          return 'done'
        },
        withPlugin ? graceful.plugin : undefined,
      ).use(graceful)
      const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1200, awsRequestId: requestId })
      expect(outcome.status === 'failed' && outcome.error, requestId).toBeInstanceOf(GracefulTimeoutError)
      expect(outcome.status === 'failed' && (outcome.error as Error).cause, requestId).toBeInstanceOf(DeadlineTimeoutError)
      expect(
        stdout.records().filter((record) => record.requestId === requestId),
        requestId,
      ).toMatchObject([{ trigger: 'cutoff', phase: 'handler' }])
      expect(hooks, requestId).toEqual([requestId])
    }
  })

  it('lets a handler that answers after the cutoff keep its answer, once the hooks ran', async () => {
    const steps: string[] = []
    const handler = middy(async (_e: unknown, context: DeadlineContext) => {
      await delay(3000, undefined, { signal: context.deadline.signal }).catch(() => steps.push('aborted'))
      return 'partial result'
    }).use(
      gracefulTimeout({
        reserveMs: 200,
        onTimeout: async () => {
          await delay(20)
          steps.push('hook done')
        },
      }),
    )
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 400 })
    expect(outcome).toMatchObject({ status: 'succeeded', response: 'partial result' })
    // The answer waited for the hook to finish.
    expect(steps).toEqual(['aborted', 'hook done'])
    expect(stdout.records()).toHaveLength(1)
  })

  // No retry (mutation runs retry failing tests): nothing but a timer left armed fails it, and on a
  // loaded machine an answer later than the grace (the timer had fired by then) would let a retry pass.
  it('leaves nothing of its own armed once a timed-out invocation has answered, with or without the plugin', { retry: 0 }, async () => {
    for (const withPlugin of [false, true]) {
      const timers = watchTimers()
      const graceful = gracefulTimeout({ reserveMs: 500, onTimeout: () => {} })
      let woundDown: () => void = () => {}
      const handlerDone = new Promise<void>((resolve) => {
        woundDown = resolve
      })
      // Stops at the cutoff and takes 20 ms to wind down: with the plugin, Middy's timer (due at the
      // cutoff) fires while it still runs, whichever of the two timers due then runs first.
      const windsDown = async (_e: unknown, context: DeadlineContext) => {
        await delay(3000, undefined, { signal: context.deadline.signal }).catch(async (error: unknown) => {
          await delay(20)
          woundDown()
          throw error
        })
      }
      const handler = middy(windsDown, withPlugin ? graceful.plugin : undefined).use(graceful)
      const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1000 })
      expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
      // Usually answered 20 ms after the cutoff, within the grace (100 ms). With the plugin and a
      // loop 60-150 ms late at the cutoff, the grace (counted from the cutoff as it was due) ends
      // first and the plugin settles the race, as it should: the handler's own 20 ms timer is then
      // still armed, the test's and not ours (it failed so once, Middy 6, full run). Counted once
      // the handler is done: no timer of ours (grace, hook share, the plugin's settle timer) is
      // left to fire after the answer.
      await handlerDone
      expect(await timers.left(), withPlugin ? 'with the plugin' : 'without').toBe(0)
    }
  })

  it('does nothing on an invocation that finishes in time', async () => {
    const steps: string[] = []
    const timers = watchTimers()
    const handler = middy(async () => 'ok').use(gracefulTimeout({ reserveMs: 200, onTimeout: () => steps.push('hook') }))
    expect(await invokeWithTimeout(handler, {}, { timeoutMs: 400 })).toMatchObject({ status: 'succeeded', response: 'ok' })
    // No timer of it is left to act at the cutoff.
    expect(await timers.left()).toBe(0)
    expect(steps).toEqual([])
    expect(stdout.lines()).toEqual([])
  })
})
