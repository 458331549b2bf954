import { Deadline, DeadlineTimeoutError, deadline } from '@middy-deadline/deadline'
import {
  causeChain,
  noTimeToStart,
  operationTimedOut,
  raceSignal,
  reachCutoff,
  scopeWithoutDeadline,
} from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

// The shared mechanics every package's timeouts are made of (issue 14), pinned here where they
// live: on the fake clock (performance.now() too), since the point is which answer, not when.
const fakeClock = () =>
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date', 'performance'] })
afterEach(() => {
  vi.useRealTimers()
})

describe('noTimeToStart', () => {
  it('lets an operation start while it fits before the cutoff, and says how much is left once it does not', () => {
    fakeClock()
    const deadline = new Deadline({ context: createLambdaContext({ timeoutMs: 10_000 }) })
    deadline.reserve(1000)
    expect(noTimeToStart(deadline, 9000)).toBeUndefined()
    vi.advanceTimersByTime(0.5)
    expect(noTimeToStart(deadline, 9000)).toBe('8999 ms left before the invocation cutoff, less than 9000 ms')
    expect(noTimeToStart(deadline, 9000, 'minimumMs (9000 ms)')).toBe(
      '8999 ms left before the invocation cutoff, less than minimumMs (9000 ms)',
    )
  })

  it('says the cutoff has been reached once its time has come, though no timer has reached it (none armed, or the event loop blocked)', () => {
    fakeClock()
    const deadline = new Deadline({ context: createLambdaContext({ timeoutMs: 10_000 }) })
    deadline.reserve(1000)
    // Nothing armed the cutoff's timer (no signal taken, no listener): only the clock moves on.
    vi.advanceTimersByTime(9000)
    expect(noTimeToStart(deadline, 1)).toBe('the invocation cutoff has been reached')
    expect(noTimeToStart(deadline, 100, 'minimumMs (100 ms)')).toBe('the invocation cutoff has been reached')
  })

  it('says the cutoff has been reached once it has, and refuses nothing once the invocation has ended', () => {
    const deadline = new Deadline({ context: createLambdaContext({ timeoutMs: 10_000 }) })
    reachCutoff(deadline)
    expect(noTimeToStart(deadline, 1)).toBe('the invocation cutoff has been reached')
    deadline.end()
    expect(noTimeToStart(deadline, 1)).toBeUndefined()
  })
})

describe('raceSignal', () => {
  it('settles as the promise does while the signal has not aborted, and leaves no listener behind', async () => {
    const controller = new AbortController()
    const add = vi.spyOn(controller.signal, 'addEventListener')
    const remove = vi.spyOn(controller.signal, 'removeEventListener')
    await expect(raceSignal(Promise.resolve('answer'), controller.signal)).resolves.toBe('answer')
    await expect(raceSignal(Promise.reject(new Error('failed')), controller.signal)).rejects.toThrow('failed')
    expect(add).toHaveBeenCalledTimes(2)
    expect(remove.mock.calls.map(([type, listener]) => [type, listener])).toEqual(
      add.mock.calls.map(([type, listener]) => [type, listener]),
    )
  })

  it("rejects with the signal's reason as soon as it aborts, or at once when it already has", async () => {
    const controller = new AbortController()
    const never = new Promise<string>(() => {})
    const raced = raceSignal(never, controller.signal)
    const reason = new DeadlineTimeoutError('invocation cutoff reached', 'cutoff')
    controller.abort(reason)
    await expect(raced).rejects.toBe(reason)
    await expect(raceSignal(never, AbortSignal.abort('gone'))).rejects.toBe('gone')
  })
})

describe('scopeWithoutDeadline', () => {
  it("aborts at the operation's own limit with a DeadlineTimeoutError of limit 'operation'", () => {
    fakeClock()
    const scope = scopeWithoutDeadline(100, undefined)
    vi.advanceTimersByTime(99)
    expect(scope.signal.aborted).toBe(false)
    vi.advanceTimersByTime(1)
    expect(scope.signal.reason).toBeInstanceOf(DeadlineTimeoutError)
    expect(scope.signal.reason).toMatchObject({ name: 'TimeoutError', limit: 'operation', message: 'operation timed out after 100 ms' })
  })

  it("aborts with the caller's signal, at once when it had aborted already, and arms no timer then", () => {
    fakeClock()
    const caller = new AbortController()
    const scope = scopeWithoutDeadline(100, caller.signal)
    caller.abort('caller gave up')
    expect(scope.signal.reason).toBe('caller gave up')
    const late = scopeWithoutDeadline(100, AbortSignal.abort('already'))
    expect(late.signal.reason).toBe('already')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('once disposed, aborts neither at its limit nor with the caller, and never without a limit', () => {
    fakeClock()
    const caller = new AbortController()
    const scope = scopeWithoutDeadline(100, caller.signal)
    scope.dispose()
    expect(vi.getTimerCount()).toBe(0)
    caller.abort('late')
    const unlimited = scopeWithoutDeadline(undefined, undefined)
    const infinite = scopeWithoutDeadline(Number.POSITIVE_INFINITY, undefined)
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(1000)
    expect([scope, unlimited, infinite].map((s) => s.signal.aborted)).toEqual([false, false, false])
  })
})

describe('operationTimedOut and causeChain', () => {
  it("name the operation's limit, and find it anywhere along a chain of causes, read with care", () => {
    const timeout = operationTimedOut(250)
    expect(timeout).toMatchObject({ name: 'TimeoutError', limit: 'operation', message: 'operation timed out after 250 ms' })
    const wrapped = new Error('request failed', { cause: new Error('aborted', { cause: timeout }) })
    expect([...causeChain(wrapped)].map((link) => link.name)).toEqual(['Error', 'Error', 'TimeoutError'])
    expect([...causeChain(wrapped)].map((link) => link.limit)).toEqual([undefined, undefined, 'operation'])
    expect([...causeChain(new Error('no cause', { cause: null }))]).toHaveLength(1)
    const throwing = new Proxy(
      {},
      {
        get: () => {
          throw new Error('no')
        },
      },
    )
    expect([...causeChain(throwing)]).toEqual([{ name: undefined, limit: undefined, cause: undefined }])
    expect([...causeChain('a string')]).toEqual([])
    const cycle: { name: string; cause?: unknown } = { name: 'Loop' }
    cycle.cause = cycle
    expect([...causeChain(cycle)]).toHaveLength(8)
  })
})

describe('the errors users match by name', () => {
  it('ends the signal of an invocation over before its cutoff with an InvocationEndedError, and refuses options with a DeadlineOptionError', () => {
    const invocation = new Deadline({ context: createLambdaContext({ timeoutMs: 10_000 }) })
    const { signal } = invocation
    invocation.end()
    expect(signal.reason).toMatchObject({ name: 'InvocationEndedError' })
    const refused = (() => {
      try {
        deadline({ reserveMs: -1 })
      } catch (error) {
        return error
      }
    })()
    expect(refused).toMatchObject({ name: 'DeadlineOptionError', option: 'reserveMs' })
  })
})
