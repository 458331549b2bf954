import {
  checkOptions,
  currentDeadline,
  type Deadline,
  instance,
  isInstance,
  ms,
  optional,
  raceSignal,
  redactUrls,
  scopeWithoutDeadline,
  text,
  withMethods,
} from '@middy-deadline/deadline/internal'
import { callLogOf, type PendingCall } from './calls.js'
import { abortError, endingOf, type OutboundTarget, OutboundTimeoutError } from './errors.js'
import { PACKAGE, settingsOf } from './options.js'

export interface WithDeadlineOptions {
  /** Names the call in errors and in the call record (`postgres`, `redis GET`). */
  label: string
  /** The call's own limit (ms); default: none, only the invocation's cutoff. */
  timeoutMs: number
  /** A signal of your own; its abort rejects the call with its reason, as `fetch` does. */
  signal: AbortSignal | undefined
  /** The deadline to use; default: the current invocation's (`currentDeadline()`). */
  deadline: Deadline | undefined
}

// Checked on every call: these options belong to the one call. A label is shown in errors and records.
const OPTIONS = {
  label: text(100, 'withDeadline'),
  timeoutMs: optional(ms(undefined, true)),
  signal: instance(AbortSignal, 'an AbortSignal'),
  // By its methods, not instanceof: a second copy of the deadline package makes deadlines too.
  deadline: withMethods<Deadline>('scope', 'hasTimeFor'),
}

export type DeadlineWork<T> = ((signal: AbortSignal) => PromiseLike<T> | T) | PromiseLike<T>

/**
 * Runs `work` (a function that receives an AbortSignal, or a promise already running) so that it
 * settles no later than the invocation's cutoff: for clients that are neither `fetch` nor the AWS
 * SDK, such as database drivers. At the limit it rejects with an `OutboundTimeoutError`, whether
 * or not `work` listens to the signal (a promise cannot be stopped, only no longer waited for).
 * Outside any invocation only `timeoutMs` applies.
 */
export function withDeadline<T>(work: DeadlineWork<T>, options: Partial<WithDeadlineOptions> = {}): Promise<T> {
  const { label, timeoutMs: ownLimitMs, signal, deadline: given } = checkOptions(PACKAGE, OPTIONS, options)
  const timeoutMs = ownLimitMs ?? Number.POSITIVE_INFINITY
  const target: OutboundTarget = { label: redactUrls(label), method: undefined, url: undefined }
  const deadline = given ?? currentDeadline()
  if (deadline === undefined) return withoutDeadline(work, target, timeoutMs, signal)

  const { minimumMs } = settingsOf(deadline)
  const log = callLogOf(deadline)
  const refused = log.refusal('custom', target, minimumMs)
  if (refused !== undefined) return Promise.reject(refused)
  // Read before the scope arms its timer: a pause in between would shorten the elapsed time the error reports.
  const startedAt = performance.now()
  const scope = deadline.scope(timeoutMs, signal)
  const call = log.start('custom', target)
  return startRaced(work, scope.signal).then(
    (value) => {
      scope.dispose()
      call.finish('ok')
      return value
    },
    (error: unknown) => {
      scope.dispose()
      finishFromSignal(call, scope.signal, signal, error)
      throw scope.signal.aborted ? abortError(scope.signal, signal, target, performance.now() - startedAt, timeoutMs, error) : error
    },
  )
}

/** Starts `work` (unless the signal has already aborted) and races it against the signal. */
function startRaced<T>(work: DeadlineWork<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  let running: PromiseLike<T> | T
  try {
    running = typeof work === 'function' ? work(signal) : work
  } catch (error) {
    running = Promise.reject(error)
  }
  return raceSignal(Promise.resolve(running), signal)
}

function finishFromSignal(call: PendingCall, signal: AbortSignal, callerSignal: AbortSignal | undefined, error: unknown): void {
  if (signal.aborted) {
    const { outcome, limit } = endingOf(signal, callerSignal)
    call.finishOnAbort(outcome, limit)
  } else if (isInstance(error, OutboundTimeoutError)) {
    // A bounded call inside the work (a fetch of ours) timed out first.
    call.finish('timeout', (error as OutboundTimeoutError).limit)
  } else {
    call.finish('error')
  }
}

/** Outside an invocation: the call's own limit and the caller's signal only. */
function withoutDeadline<T>(
  work: DeadlineWork<T>,
  target: OutboundTarget,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
): Promise<T> {
  const startedAt = performance.now()
  const scope = scopeWithoutDeadline(timeoutMs, callerSignal)
  return startRaced(work, scope.signal).then(
    (value) => {
      scope.dispose()
      return value
    },
    (error: unknown) => {
      scope.dispose()
      throw scope.signal.aborted ? abortError(scope.signal, callerSignal, target, performance.now() - startedAt, timeoutMs, error) : error
    },
  )
}
