import { MAX_TIMER_MS, scheduleAfter } from '@middy-deadline/deadline/internal'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

// scheduleAfter is the one timer the packages arm outside a deadline scope (the batch runner's
// wait for items to settle after the cutoff). On the fake clock, with performance.now() faked too:
// the point is when it runs, to the ms.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('scheduleAfter', () => {
  it('runs a wait under 1 ms, or one that is not a number, in the same ms (where a timer would wait a whole ms)', () => {
    const ran: string[] = []
    for (const ms of [0, 0.5, -5, Number.NaN]) scheduleAfter(ms, () => ran.push(String(ms)))
    vi.advanceTimersByTime(0)
    expect(ran).toEqual(['0', '0.5', '-5', 'NaN'])
  })

  it('runs a wait of 1 ms or more when it is due, not before', () => {
    const ran: number[] = []
    scheduleAfter(1, () => ran.push(1))
    scheduleAfter(2.2, () => ran.push(2.2))
    vi.advanceTimersByTime(0)
    expect(ran).toEqual([])
    vi.advanceTimersByTime(1)
    expect(ran).toEqual([1])
    vi.advanceTimersByTime(2)
    expect(ran).toEqual([1, 2.2])
  })

  it('waits longer than a Node timer holds (about 24.8 days) in steps, and runs once, when due', () => {
    let ran = 0
    const wait = MAX_TIMER_MS + 5000
    scheduleAfter(wait, () => ran++)
    // Node fires a longer timer after 1 ms (TimeoutOverflowWarning): it must not.
    vi.advanceTimersByTime(1)
    expect(ran).toBe(0)
    vi.advanceTimersByTime(MAX_TIMER_MS)
    expect(ran).toBe(0)
    vi.advanceTimersByTime(4998)
    expect(ran).toBe(0)
    vi.advanceTimersByTime(1)
    expect(ran).toBe(1)
    vi.advanceTimersByTime(MAX_TIMER_MS)
    expect(ran).toBe(1)
  })

  it('is cancelled by the function it returns: under 1 ms, within one timer, and in a later step of a long wait', () => {
    let ran = 0
    for (const cancel of [0, 10].map((ms) => scheduleAfter(ms, () => ran++))) cancel()
    const cancelLong = scheduleAfter(MAX_TIMER_MS + 5000, () => ran++)
    // The long wait is now in its second step: cancelling must reach that timer, not the first.
    vi.advanceTimersByTime(MAX_TIMER_MS)
    cancelLong()
    vi.advanceTimersByTime(10_000)
    expect(ran).toBe(0)
  })
})
