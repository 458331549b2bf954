import { monotonicNow, TIMER_EARLY_TOLERANCE_MS } from './clock.js'

/**
 * The longest delay a Node timer holds (about 24.8 days). A longer one fires after 1 ms, with a
 * `TimeoutOverflowWarning`: a remaining time that large (a context from another host, a fake one)
 * would otherwise turn every wait derived from it into an immediate timeout.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** A delay a Node timer takes as meant: whole ms, never negative, never above `MAX_TIMER_MS`. */
export const timerDelay = (ms: number): number => Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms)))

/**
 * Calls `fn` once `ms` have passed on the monotonic clock, however long that is: a longer wait
 * than a timer holds is made of several, re-armed until the time has come. Under 1 ms it runs
 * after the current phase of the event loop (`setImmediate`), where a `setTimeout` would wait a
 * whole ms. Returns the function that cancels it.
 */
export function scheduleAfter(ms: number, fn: () => void): () => void {
  if (!(ms >= 1)) {
    const immediate = setImmediate(fn)
    return () => clearImmediate(immediate)
  }
  if (ms <= MAX_TIMER_MS) {
    const timer = setTimeout(fn, Math.ceil(ms))
    return () => clearTimeout(timer)
  }
  const dueAt = monotonicNow() + ms
  const step = () => {
    const left = dueAt - monotonicNow()
    if (left > TIMER_EARLY_TOLERANCE_MS) timer = setTimeout(step, timerDelay(left))
    else fn()
  }
  let timer = setTimeout(step, MAX_TIMER_MS)
  return () => clearTimeout(timer)
}
