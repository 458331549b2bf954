import { causeChain, type Deadline, readSafely } from '@middy-deadline/deadline/internal'
import type { TimeoutTrigger } from './record.js'

/**
 * Whether the error that reached `onError` is the invocation running out of time, and how, by the
 * error or anything in its `cause` chain:
 * - `@middy/core`'s early timeout (`TimeoutError` with `cause.package` `@middy/core`);
 * - once the cutoff's time has come, any `AbortError`/`TimeoutError`: the deadline's reason, a call
 *   refused for lack of time, a client that aborts with its own error instead of the signal's
 *   reason (as the AWS SDK does). Its time, not its timer (`deadline.cutoffReached` says so): an
 *   event loop blocked past the cutoff keeps the timer from firing, and a call the handler makes
 *   then is refused before the cutoff's listeners have run. Before that time, the same errors (a
 *   call refused because too little was left) are the function's own.
 * Anything else is the function's own error and is left alone.
 */
export function timeoutTrigger(error: unknown, deadline: Deadline): TimeoutTrigger | undefined {
  const cutoffCame = deadline.cutoffReached
  for (const { name, cause } of causeChain(error)) {
    if (name === 'TimeoutError' && readSafely(cause, 'package') === '@middy/core') return 'middy-timeout'
    if (cutoffCame && (name === 'AbortError' || name === 'TimeoutError')) return 'cutoff'
  }
  return undefined
}
