/**
 * Elapsed time comes from the monotonic clock: Date.now() can step (NTP) and Lambda's
 * getRemainingTimeInMillis() is itself computed from Date.now(), so it is read exactly once,
 * at the start, and everything after is measured on performance.now(). The global is read at
 * each call (not imported from node:perf_hooks) so that test fake timers can replace it.
 */
export const monotonicNow = (): number => performance.now()

// Timers may fire up to ~1 ms before their due time as performance.now() sees it.
export const TIMER_EARLY_TOLERANCE_MS = 1
