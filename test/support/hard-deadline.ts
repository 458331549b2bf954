import type { Deadline } from '@middy-deadline/deadline'

export interface HardDeadlineNear {
  /** Whether the timer has fired: read it when a call settles. */
  readonly passed: boolean
  cancel(): void
}

/**
 * A timer due `marginMs` before the invocation's hard deadline. When a loaded machine runs timers
 * late, it still runs one due well before another first: a call that settles before this one has
 * fired settled on an earlier timer (the cutoff's, the attempt's), in the reserve, not at some
 * later wake-up. An ordering to assert instead of a bound in milliseconds that a slow moment
 * overruns. "Well before": Node runs due timers list by list (one per whole-ms duration), so two
 * timers due a few ms apart can run out of order (docs/testing-the-library.md, "Time in tests").
 */
export function hardDeadlineNear(deadline: Deadline, marginMs = 10): HardDeadlineNear {
  let passed = false
  const timer = setTimeout(
    () => {
      passed = true
    },
    // From the hard deadline itself, not from the cutoff plus the reserve: a cutoff planned in
    // the wrong place must not move the timer with it.
    deadline.remainingToHardDeadline() - marginMs,
  )
  return {
    get passed() {
      return passed
    },
    cancel: () => clearTimeout(timer),
  }
}
