import type { Deadline } from '@middy-deadline/deadline'

export interface HardDeadlineNear {
  /** Whether the timer has fired: read it when a call settles. */
  readonly passed: boolean
  cancel(): void
}

/**
 * A timer due `marginMs` before the invocation's hard deadline. However late a loaded machine runs
 * timers, Node runs the due ones in the order they are due: a call that settles before this one has
 * fired settled on an earlier timer (the cutoff's, the attempt's), in the reserve, not at some later
 * wake-up. An ordering to assert instead of a bound in milliseconds that a slow moment overruns.
 */
export function hardDeadlineNear(deadline: Deadline, marginMs = 10): HardDeadlineNear {
  let passed = false
  const timer = setTimeout(
    () => {
      passed = true
    },
    deadline.remaining() + deadline.reserveMs - marginMs,
  )
  return {
    get passed() {
      return passed
    },
    cancel: () => clearTimeout(timer),
  }
}
