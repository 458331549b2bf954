// Test helpers shared by several packages' tests (and the cross-package ones under test/): each
// package's tests import them by relative path; they are not tests themselves.
import { currentDeadline } from '@middy-deadline/deadline'
import type { GracefulTimeoutPlugin } from '@middy-deadline/graceful-timeout'

export interface TimerAtMiddysTimeout {
  /** graceful.plugin's own, which also arms the test's timer: pass it to `middy()` beside the plugin. */
  timeoutEarlyResponse: () => unknown
  /** Whether the test's timer fired before the invocation ended. */
  fired(): boolean
}

/**
 * Tells whether graceful.plugin settled Middy's race within `ms` of Middy's early timeout firing,
 * without a bound in milliseconds that a loaded machine could miss: when Middy's timer fires, a
 * timer of the test's is armed, due `ms` later. However late the machine runs Middy's timer, what
 * the plugin then waits for and the test's timer count from no later than that moment, and Node
 * runs due timers in the order they are due: settled in time, the invocation ends before the
 * test's timer fires (which the end of the invocation then clears).
 */
export function timerAtMiddysTimeout(plugin: GracefulTimeoutPlugin, ms: number): TimerAtMiddysTimeout {
  let fired = false
  return {
    timeoutEarlyResponse: () => {
      const timer = setTimeout(() => {
        fired = true
      }, ms)
      currentDeadline()?.onEnd(() => clearTimeout(timer))
      return plugin.timeoutEarlyResponse()
    },
    fired: () => fired,
  }
}
