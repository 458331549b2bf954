import {
  answerMarginMs,
  currentDeadline,
  type DeadlinePluginHooks,
  deadlineOf,
  deadlinePlugin,
  reachCutoff,
  timerDelay,
} from '@middy-deadline/deadline/internal'
import { graceLeftMs } from './cutoff.js'

export interface GracefulTimeoutPlugin extends DeadlinePluginHooks {
  readonly timeoutEarlyInMillis: number
  readonly timeoutEarlyResponse: () => unknown
}

// Timers may fire a little early as performance.now() sees it.
const EARLY_TOLERANCE_MS = 1

/**
 * Middy options that make `@middy/core`'s own early timeout fire at our cutoff. Middy races only
 * the handler, and only against that timer: a handler that ignores the deadline's signal is
 * settled when it fires, so it should fire at the cutoff, not 5 ms before the hard deadline.
 *
 * Middy's value is fixed per function while the deadline caps the reserve at half the starting
 * budget, so on a short function Middy's timer can fire before our cutoff: then the response waits
 * for the real cutoff rather than cutting the handler short.
 */
export function gracefulTimeoutPlugin(reserveMs: number): GracefulTimeoutPlugin {
  const hooks = deadlinePlugin()
  return {
    ...hooks,
    // The plugin asks for the reserve itself: used without `.use(graceful)`, nothing else would,
    // the cutoff would stay at the hard deadline, and Middy's race (waiting for our cutoff) would
    // be killed with the function. Asked here, the plugin alone still settles the handler at the
    // cutoff; with the middleware, it asks for the same reserve a little earlier.
    requestStart(request) {
      // Stryker disable next-line CallExpression: equivalent while the deadline's plugin only makes the deadline here, as the next line does; called so that what it does later is not lost
      hooks.requestStart(request)
      if (request !== undefined) deadlineOf(request).reserve(reserveMs)
    },
    timeoutEarlyInMillis: Math.max(1, Math.round(reserveMs)),
    timeoutEarlyResponse: settleAtCutoff,
  }
}

/**
 * Middy settles its race with whatever this returns: a promise that rejects with the deadline's
 * reason once the cutoff has come and the handler's grace has passed. A handler that honours the
 * signal answers within the grace (its own answer wins the race); one that ignores it is settled
 * then. Middy's timer may fire a little before our cutoff, or long before it when the deadline
 * capped the reserve: the promise waits for the real cutoff.
 */
function settleAtCutoff(): unknown {
  const deadline = currentDeadline()
  if (deadline === undefined) throw middyStyleTimeout()
  return new Promise((_resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    // Whatever happens, the answer must leave by the margin before the hard deadline.
    const latestMs = () => deadline.remainingToHardDeadline() - answerMarginMs(deadline)
    // After the grace, a handler that said it is winding down (`deadline.expectAnswer()`, as the
    // batch handlers do) keeps the race until its answer could no longer be delivered in time:
    // a partial batch answer must not lose to a TimeoutError that makes Lambda retry every record.
    const settleNow = () => {
      const leftMs = deadline.answerExpected ? latestMs() : 0
      if (leftMs > EARLY_TOLERANCE_MS) timer = setTimeout(settleNow, timerDelay(leftMs))
      else reject(deadline.signal.reason)
    }
    // After the grace (counted from the cutoff as it was due), and never past the margin.
    const settleAfterGrace = () => {
      timer = setTimeout(settleNow, Math.min(graceLeftMs(deadline), timerDelay(latestMs())))
      deadline.onEnd(() => clearTimeout(timer))
    }
    // Past the cutoff (usually: our timer fired first), or within a timer's tolerance of it: reach
    // it if the deadline has not (no-op if it has). Before it, `onCutoff` waits for it (and calls
    // at once if the cutoff was reached early, by Middy's own timeout).
    if (deadline.remaining() <= EARLY_TOLERANCE_MS) {
      reachCutoff(deadline)
      settleAfterGrace()
    } else {
      deadline.onCutoff(settleAfterGrace)
    }
    // The handler won the race after all: nothing is waiting for this any more.
    deadline.onEnd(() => reject(deadline.signal.reason))
  })
}

// Without a deadline (no middleware of ours ran) we behave as Middy's default would.
function middyStyleTimeout(): Error {
  const error = new Error('The handler did not settle before the early timeout', { cause: { package: '@middy/core' } })
  error.name = 'TimeoutError'
  return error
}
