import { Deadline, DeadlineTimeoutError, InvocationEndedError } from '@middy-deadline/deadline'
import { reachCutoff } from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// A cutoff whose time comes while synchronous work blocks the event loop: its timer cannot fire
// until the work is done. Real timers, since the point is a timer that has not run: the busy-wait
// below straddles the cutoff, and everything is read before the loop is free again.
const RESERVE_MS = 100
const made: Deadline[] = []
const aDeadline = (init: Partial<ConstructorParameters<typeof Deadline>[0]> = {}, timeoutMs = 200) => {
  const deadline = new Deadline({ context: createLambdaContext({ timeoutMs }), ...init })
  deadline.reserve(RESERVE_MS)
  made.push(deadline)
  return deadline
}
afterEach(() => {
  for (const deadline of made.splice(0)) deadline.end()
  vi.useRealTimers()
})

/** Synchronous work until `pastMs` after the cutoff as it is due now (on the deadline's clock). */
function blockPastCutoff(deadline: Deadline, pastMs = 10): void {
  while (deadline.remainingToHardDeadline() > deadline.reserveMs - pastMs) {}
}

describe('a cutoff whose time came while the event loop was blocked, before its timer ran', () => {
  it('has come for every reader: cutoffReached, no time for anything (not even 0 ms), sinceCutoff from when it was due', () => {
    const deadline = aDeadline()
    deadline.onCutoff(() => {}) // its timer is armed: it is only late
    blockPastCutoff(deadline, 10)
    expect(deadline.remaining()).toBe(0)
    expect(deadline.cutoffReached).toBe(true)
    expect(deadline.hasTimeFor(0)).toBe(false)
    expect(deadline.sinceCutoff()).toBeGreaterThanOrEqual(10)
  })

  it('is only read by cutoffReached, hasTimeFor and sinceCutoff: the signal taken before stays as it was until the timer runs, which then reaches it', async () => {
    const deadline = aDeadline()
    const signal = deadline.signal
    const seen: boolean[] = []
    const cutoff = new Promise<void>((resolve) => deadline.onCutoff(() => resolve()))
    blockPastCutoff(deadline)
    seen.push(deadline.cutoffReached, deadline.hasTimeFor(1), deadline.sinceCutoff() > 0, signal.aborted)
    expect(seen).toEqual([true, false, true, false])
    await cutoff
    expect(signal.reason).toBeInstanceOf(DeadlineTimeoutError)
    expect(deadline.cutoffReached).toBe(true)
  })

  it.each([
    ['taking the signal', (deadline: Deadline) => deadline.signal.reason],
    ['opening a scope', (deadline: Deadline) => deadline.timeout(1_000).reason],
  ])('is reached by %s: the signal aborted with the cutoff’s reason, the listeners run in order', (_action, act) => {
    const deadline = aDeadline()
    const seen: string[] = []
    deadline.onCutoff(() => seen.push('listener'))
    const signal = deadline.signal
    const scope = deadline.scope()
    blockPastCutoff(deadline)
    const reason = act(deadline)
    expect(seen).toEqual(['listener'])
    expect(reason).toBeInstanceOf(DeadlineTimeoutError)
    expect(reason).toMatchObject({
      limit: 'cutoff',
      message: expect.stringMatching(/^invocation cutoff reached after \d+ ms \(\d+ ms before/),
    })
    // The one transition: what was taken before aborted with the same reason.
    expect(scope.signal.reason).toBe(signal.reason)
    expect(signal.reason).toMatchObject({ limit: 'cutoff' })
  })

  it('is reached by adding a cutoff listener: it runs at once, after the listeners added before it', () => {
    const deadline = aDeadline()
    const seen: string[] = []
    deadline.onCutoff(() => seen.push('first'))
    blockPastCutoff(deadline)
    deadline.onCutoff(() => seen.push('second'))
    expect(seen).toEqual(['first', 'second'])
  })

  it('counts as reached when the invocation ends before the timer runs: the end aborts with the cutoff’s reason, and the cutoff listeners do not run', () => {
    const deadline = aDeadline()
    const signal = deadline.signal
    const seen: string[] = []
    deadline.onCutoff(() => seen.push('cutoff'))
    deadline.onEnd(() => seen.push('end'))
    blockPastCutoff(deadline, 10)
    deadline.end()
    expect(seen).toEqual(['end'])
    expect(deadline.cutoffReached).toBe(true)
    expect(deadline.sinceCutoff()).toBeGreaterThanOrEqual(10)
    expect(signal.reason).toBeInstanceOf(DeadlineTimeoutError)
    expect(signal.reason).toMatchObject({ limit: 'cutoff' })
  })

  it('never comes for an invocation that ended before it, nor for a deadline that enforces nothing', () => {
    const deadline = aDeadline()
    deadline.end()
    captureStderr() // the unknown deadline's warning
    const unknown = new Deadline({ context: undefined })
    made.push(unknown)
    blockPastCutoff(deadline)
    expect([deadline.cutoffReached, deadline.sinceCutoff(), deadline.signal.reason]).toEqual([false, 0, expect.any(InvocationEndedError)])
    expect([unknown.cutoffReached, unknown.hasTimeFor(1_000_000)]).toEqual([false, true])
  })

  it('does not come for an invocation answered early (isOver): taking the signal ends it, as the timer would', () => {
    const deadline = aDeadline({ isOver: () => true })
    const ended: string[] = []
    deadline.onEnd(() => ended.push('end'))
    blockPastCutoff(deadline)
    expect(deadline.cutoffReached).toBe(false)
    expect(deadline.signal.reason).toBeInstanceOf(InvocationEndedError)
    expect([deadline.ended, ended]).toEqual([true, ['end']])
    expect(deadline.cutoffReached).toBe(false)
  })

  it('keeps when it came if it was reached early (Middy timed out first) and the invocation ends after its time', () => {
    const deadline = aDeadline()
    reachCutoff(deadline)
    // When the cutoff was due, in ms since the start (about 100).
    const dueAtMs = deadline.budgetMs - deadline.reserveMs
    blockPastCutoff(deadline, 10)
    deadline.end()
    const sinceCutoffMs = deadline.sinceCutoff()
    // From the early reach, right at the start: nearly all the time elapsed, not only what came after dueAtMs.
    expect(sinceCutoffMs).toBeGreaterThan(deadline.elapsed() - dueAtMs / 2)
  })

  it('follows a reserve asked for later: once the cutoff it moves to is past, it has come', () => {
    const deadline = new Deadline({ context: createLambdaContext({ timeoutMs: 200 }) })
    made.push(deadline)
    while (deadline.elapsed() < 2 * RESERVE_MS * 0.55) {}
    expect(deadline.cutoffReached).toBe(false)
    deadline.reserve(RESERVE_MS)
    expect([deadline.cutoffReached, deadline.remaining()]).toEqual([true, 0])
  })
})

describe('the cutoff by the clock alone', () => {
  it('has come exactly when remaining() reaches 0, not a millisecond before (the fake performance clock moves, no timer fires)', () => {
    // Only performance.now() is faked: the clock moves as a blocked loop's would, and the
    // deadline's real timer (armed by the listener) cannot fire inside this synchronous test.
    vi.useFakeTimers({ toFake: ['performance'] })
    const deadline = aDeadline({}, 10_000)
    deadline.onCutoff(() => {})
    vi.advanceTimersByTime(deadline.remaining() - 1)
    expect([deadline.remaining(), deadline.cutoffReached, deadline.hasTimeFor(1), deadline.sinceCutoff()]).toEqual([1, false, true, 0])
    vi.advanceTimersByTime(1)
    expect([deadline.remaining(), deadline.cutoffReached, deadline.hasTimeFor(0), deadline.sinceCutoff()]).toEqual([0, true, false, 0])
    vi.advanceTimersByTime(7)
    expect(deadline.sinceCutoff()).toBe(7)
  })
})
