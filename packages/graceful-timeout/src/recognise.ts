import { causeChain, type Deadline, readSafely } from '@middy-deadline/deadline/internal'
import type { TimeoutTrigger } from './record.js'

/**
 * Whether the error that reached `onError` is the invocation running out of time, and how:
 * - a timeout error of ours with `limit: 'cutoff'` once the cutoff's time has come, thrown as it
 *   is or kept as the `cause` of the handler's own error: the deadline's reason, also in the moment
 *   before its timer fires (a scope opened then is refused with it). Before that time, a call
 *   refused because too little was left (also `limit: 'cutoff'`) is the function's own error;
 * - `@middy/core`'s early timeout (`TimeoutError` with `cause.package` `@middy/core`);
 * - once the cutoff has come, any `AbortError`/`TimeoutError` (a client that aborts with its own
 *   error instead of the signal's reason, as the AWS SDK does).
 * Anything else is the function's own error and is left alone.
 */
export function timeoutTrigger(error: unknown, deadline: Deadline): TimeoutTrigger | undefined {
  for (const { name, limit, cause } of causeChain(error)) {
    if (name === 'TimeoutError' && limit === 'cutoff' && deadline.remaining() === 0) return 'cutoff'
    if (name === 'TimeoutError' && readSafely(cause, 'package') === '@middy/core') return 'middy-timeout'
    if (deadline.cutoffReached && (name === 'AbortError' || name === 'TimeoutError')) return 'cutoff'
  }
  return undefined
}
