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
 * the plugin then waits for and the test's timer count from no later than that moment. Node runs
 * late timers list by list (one list per whole-ms duration), but here each of the two is alone in
 * its list, and from the plugin's timer to the end of the invocation (which clears the test's) is
 * promises only: settled in time, the invocation ends before the test's timer fires, however late
 * the loop is (checked with it blocked 150 and 300 ms right after the two were armed).
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
