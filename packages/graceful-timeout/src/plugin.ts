import { currentDeadline, type DeadlinePluginHooks, deadlinePlugin } from '@middy-deadline/deadline'

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
  return {
    ...deadlinePlugin(),
    timeoutEarlyInMillis: Math.max(1, Math.round(reserveMs)),
    timeoutEarlyResponse: settleAtCutoff,
  }
}

function settleAtCutoff(): unknown {
  const deadline = currentDeadline()
  if (deadline === undefined) throw middyStyleTimeout()
  if (!deadline.cutoffReached && deadline.remaining() > EARLY_TOLERANCE_MS) {
    // Middy resolves its race with whatever this returns: a promise that rejects at the cutoff.
    return new Promise((_resolve, reject) => {
      deadline.onCutoff(() => reject(deadline.signal.reason))
      deadline.onEnd(() => reject(deadline.signal.reason))
    })
  }
  deadline.reachCutoff()
  throw deadline.signal.reason
}

// Without a deadline (no middleware of ours ran) we behave as Middy's default would.
function middyStyleTimeout(): Error {
  const error = new Error('The handler did not settle before the early timeout', { cause: { package: '@middy/core' } })
  error.name = 'TimeoutError'
  return error
}
