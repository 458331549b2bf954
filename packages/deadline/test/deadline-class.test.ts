import { Deadline, DeadlineTimeoutError, InvocationEndedError } from '@middy-deadline/deadline'
import { answerMarginMs, MAX_ANSWER_MARGIN_MS, reachCutoff } from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// The Deadline class as a user makes one by hand (`new Deadline({ context })`, no Middy request),
// and as our packages read it through deadline/internal.
const made: Deadline[] = []
const aDeadline = (timeoutMs = 10_000) => {
  const deadline = new Deadline({ context: createLambdaContext({ timeoutMs }) })
  made.push(deadline)
  return deadline
}
// No context at all: the deadline is `unknown` and enforces nothing (warned once per process).
const anUnknownDeadline = () => {
  const deadline = new Deadline({ context: undefined })
  made.push(deadline)
  return deadline
}
afterEach(() => {
  for (const deadline of made.splice(0)) deadline.end()
  vi.useRealTimers()
})

// As the process had it when this file loaded: a retry of a test must not take a changed limit for the original.
const STACK_TRACE_LIMIT = Error.stackTraceLimit
const timersArmed = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length

describe('what a deadline tells', () => {
  it('the cutoff is the hard deadline less the reserve, and the time to the hard deadline counts down to 0', () => {
    captureStderr() // the unknown deadline's warning
    vi.useFakeTimers()
    const deadline = aDeadline(3_000)
    deadline.reserve(500)
    expect(deadline.cutoffAt).toBe(deadline.hardDeadlineAt - 500)
    expect(deadline.remainingToHardDeadline()).toBe(3_000)
    vi.advanceTimersByTime(1_200)
    expect(deadline.remainingToHardDeadline()).toBe(1_800)
    vi.advanceTimersByTime(2_000)
    expect(deadline.remainingToHardDeadline()).toBe(0)
    const unknown = anUnknownDeadline()
    expect([unknown.cutoffAt, unknown.remainingToHardDeadline()]).toEqual([Number.NaN, Number.POSITIVE_INFINITY])
  })

  it('answerMarginMs is a tenth of the reserve, at least 1 ms and at most 50 ms', () => {
    const margin = (reserveMs: number) => {
      const deadline = aDeadline(10_000)
      deadline.reserve(reserveMs)
      return answerMarginMs(deadline)
    }
    expect([margin(0), margin(5), margin(300), margin(500), margin(2_000)]).toEqual([1, 1, 30, MAX_ANSWER_MARGIN_MS, MAX_ANSWER_MARGIN_MS])
  })

  it('keeps the first error noted, from the caller or from the request, whatever comes after', () => {
    const deadline = aDeadline()
    expect(deadline.firstError).toBeUndefined()
    deadline.noteError('first')
    deadline.noteError('second')
    expect(deadline.firstError).toBe('first')

    const request: { error?: unknown } = {}
    const fromRequest = new Deadline({ context: createLambdaContext(), request })
    made.push(fromRequest)
    fromRequest.noteRequestError()
    expect(fromRequest.firstError).toBeUndefined()
    request.error = new Error('raised')
    fromRequest.noteRequestError()
    request.error = { statusCode: 500 } // what an error handler puts in its place
    fromRequest.noteRequestError()
    expect(fromRequest.firstError).toEqual(new Error('raised'))

    // By hand there is no request: nothing to note, and nothing thrown.
    aDeadline().noteRequestError()
  })

  it('says whether the handler will answer by itself after the cutoff, once it said so', () => {
    const deadline = aDeadline()
    expect(deadline.answerExpected).toBe(false)
    deadline.expectAnswer()
    expect(deadline.answerExpected).toBe(true)
  })

  it('has one signal, and an empty request id when the context gives none', () => {
    captureStderr() // the unknown deadline's warning
    const deadline = aDeadline()
    expect(deadline.signal).toBe(deadline.signal)
    expect(anUnknownDeadline().requestId).toBe('')
  })
})

describe('the cutoff of a deadline made by hand', () => {
  it('comes by its timer without a Middy request, aborting the signal and telling the listeners', () => {
    vi.useFakeTimers()
    const deadline = aDeadline(3_000)
    deadline.reserve(500)
    const seen: string[] = []
    deadline.onCutoff(() => seen.push('cutoff'))
    vi.advanceTimersByTime(2_499)
    expect(seen).toEqual([])
    vi.advanceTimersByTime(1)
    expect(seen).toEqual(['cutoff'])
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineTimeoutError)
  })

  it('moves earlier when a larger reserve is asked for after its timer was armed', () => {
    vi.useFakeTimers()
    const deadline = aDeadline(3_000)
    const seen: number[] = []
    deadline.onCutoff((d) => seen.push(d.elapsed()))
    vi.advanceTimersByTime(100)
    deadline.reserve(1_000)
    vi.advanceTimersByTime(1_900)
    expect(seen).toEqual([2_000])
  })

  it('further away than a Node timer holds, comes in steps, at its time and not at the first step', () => {
    vi.useFakeTimers()
    const farMs = 2 ** 31 + 5_000
    const deadline = new Deadline({ context: { getRemainingTimeInMillis: () => farMs } })
    made.push(deadline)
    const seen: number[] = []
    deadline.onCutoff((d) => seen.push(d.elapsed()))
    vi.advanceTimersByTime(2 ** 31 - 1)
    expect(seen).toEqual([])
    expect(deadline.cutoffReached).toBe(false)
    vi.advanceTimersByTime(5_001)
    expect(seen).toEqual([farMs])
  })

  it('reached early (Middy timed out first) aborts every scope at once and leaves no timer armed', () => {
    const before = timersArmed()
    const deadline = aDeadline(60_000)
    const scope = deadline.scope()
    deadline.onCutoff(() => {})
    expect(timersArmed()).toBe(before + 2)
    reachCutoff(deadline)
    expect(scope.signal.aborted).toBe(true)
    expect(scope.signal.reason).toBeInstanceOf(DeadlineTimeoutError)
    expect((scope.signal.reason as DeadlineTimeoutError).limit).toBe('cutoff')
    expect(timersArmed()).toBe(before)
  })

  it('asking for a reserve arms no timer: only a signal, a cutoff listener or a scope needs one', { retry: 0 }, () => {
    const before = timersArmed()
    const deadline = aDeadline(60_000)
    deadline.reserve(500)
    deadline.reserve(1_000)
    expect(timersArmed()).toBe(before)
    deadline.onCutoff(() => {})
    deadline.reserve(2_000)
    expect(timersArmed()).toBe(before + 1)
  })

  it('a scope of 0 ms is over before it starts, at once, as an operation that timed out', () => {
    const scope = aDeadline(60_000).scope(0)
    expect(scope.signal.aborted).toBe(true)
    expect(scope.signal.reason).toMatchObject({ name: 'TimeoutError', limit: 'operation', message: 'operation timed out after 0 ms' })
  })

  it("a scope whose timer fires for the cutoff before it is due (a timer early by more than its tolerance) aborts with the cutoff's limit, not the operation's", () => {
    // Timers faked, the deadline's clock left real: the scope's timer fires 2.5 s early by that clock.
    // Real timers do this by a few ms (a 50 ms one was seen at 46 ms on a loaded machine).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const deadline = aDeadline(3_000)
    deadline.reserve(500)
    const scope = deadline.scope(5_000)
    vi.advanceTimersByTime(2_500)
    expect(scope.signal.reason).toMatchObject({
      name: 'TimeoutError',
      limit: 'cutoff',
      message: 'no time left before the invocation cutoff (needed up to 5000 ms)',
    })
    // Only the scope acted early: the deadline has not reached its cutoff.
    expect(deadline.cutoffReached).toBe(false)
  })

  it('an unknown deadline arms no timer for its signal, its listeners or a scope without a limit', () => {
    captureStderr() // its warning
    const before = timersArmed()
    const deadline = anUnknownDeadline()
    expect(deadline.signal.aborted).toBe(false)
    deadline.onCutoff(() => {})
    const scope = deadline.scope()
    expect(timersArmed()).toBe(before)
    scope.dispose()
    deadline.end()
    // Disposed before the end: the end no longer concerns it.
    expect(scope.signal.aborted).toBe(false)
    expect(deadline.signal.reason).toBeInstanceOf(InvocationEndedError)
  })
})

describe('listeners', () => {
  it('a listener added once the cutoff came and the invocation ended is not run', () => {
    const deadline = aDeadline()
    reachCutoff(deadline)
    deadline.end()
    const late = vi.fn()
    deadline.onCutoff(late)
    expect(late).not.toHaveBeenCalled()
  })

  it('an end listener taken back is not run; taking one back after the end does nothing', () => {
    const deadline = aDeadline()
    const kept = vi.fn()
    const takenBack = vi.fn()
    deadline.onEnd(kept)
    const unsubscribe = deadline.onEnd(takenBack)
    const cutoffUnsubscribe = deadline.onCutoff(() => {})
    unsubscribe()
    deadline.end()
    expect(kept).toHaveBeenCalledOnce()
    expect(takenBack).not.toHaveBeenCalled()
    expect(() => {
      unsubscribe()
      cutoffUnsubscribe()
    }).not.toThrow()
  })

  it('a listener that throws is reported as an onCutoff or onEnd listener, and the others still run', () => {
    const stderr = captureStderr()
    const deadline = aDeadline()
    const seen: string[] = []
    const fail = () => {
      throw new Error('listener broke')
    }
    deadline.onCutoff(fail)
    deadline.onCutoff(() => seen.push('cutoff'))
    deadline.onEnd(fail)
    deadline.onEnd(() => seen.push('end'))
    reachCutoff(deadline)
    expect(() => deadline.end()).not.toThrow()
    expect(seen).toEqual(['cutoff', 'end'])
    expect(stderr.lines().map((line) => line.message)).toEqual([
      expect.stringContaining('a deadline onCutoff listener failed'),
      expect.stringContaining('a deadline onEnd listener failed'),
    ])
  })
})

describe('scopes', () => {
  it('a scope disposed before its caller aborts stays as it was', () => {
    const deadline = aDeadline()
    const caller = new AbortController()
    const scope = deadline.scope(5_000, caller.signal)
    scope.dispose()
    caller.abort(new Error('caller gave up'))
    expect(scope.signal.aborted).toBe(false)
  })

  it('a scope asked for after the end is over from the start, because the invocation ended', () => {
    const deadline = aDeadline()
    deadline.end()
    const { signal } = deadline.scope(1_000)
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBeInstanceOf(InvocationEndedError)
    expect((signal.reason as Error).message).toBe('the invocation has ended')
  })

  it('ending with a signal in use leaves the stack traces of the process as they were', () => {
    const limit = STACK_TRACE_LIMIT
    expect(Error.stackTraceLimit).toBe(limit)
    const deadline = aDeadline()
    const { signal } = deadline
    deadline.end()
    expect(signal.reason).toBeInstanceOf(InvocationEndedError)
    expect(Error.stackTraceLimit).toBe(limit)
  })
})

describe('a context whose getRemainingTimeInMillis returns a promise', () => {
  it('is unknown, and its rejection does not reach the process', async () => {
    captureStderr() // its warning
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const deadline = new Deadline({ context: { getRemainingTimeInMillis: () => Promise.reject(new Error('async clock')) as never } })
      made.push(deadline)
      expect(deadline.status).toBe('unknown')
      await new Promise((resolve) => setImmediate(resolve))
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
    expect(unhandled).toEqual([])
  })
})
