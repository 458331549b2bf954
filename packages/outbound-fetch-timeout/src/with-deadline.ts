import {
  checkOptions,
  currentDeadline,
  type Deadline,
  DeadlineTimeoutError,
  instance,
  isInstance,
  ms,
  optional,
  redactUrls,
  text,
  withMethods,
} from '@middy-deadline/deadline/internal'
import { callLogOf, type PendingCall } from './calls.js'
import { abortError, endingOf, notSentError, type OutboundTarget, OutboundTimeoutError } from './errors.js'
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
  if (!deadline.ended && !deadline.hasTimeFor(minimumMs)) {
    log.start('custom', target).finish('timeout', 'invocation deadline')
    return Promise.reject(notSentError(target, deadline, minimumMs))
  }
  const scope = deadline.scope(timeoutMs, signal)
  const call = log.start('custom', target)
  const startedAt = performance.now()
  return race(work, scope.signal, {
    settled(error) {
      scope.dispose()
      if (error === undefined) call.finish('ok')
      else finishFromSignal(call, scope.signal, signal, error)
    },
    cut: (cause) => abortError(scope.signal, signal, target, performance.now() - startedAt, timeoutMs, cause),
  })
}

interface RaceHooks {
  /** Called once: `undefined` on success, else the error (or `null` for a rejection without one). */
  settled(error: unknown): void
  /** The error to reject with once the signal aborted. */
  cut(cause: unknown): unknown
}

function race<T>(work: DeadlineWork<T>, signal: AbortSignal, hooks: RaceHooks): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false
    const onAbort = () => {
      if (done) return
      done = true
      hooks.settled(signal.reason ?? null)
      reject(hooks.cut(signal.reason))
    }
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    let running: PromiseLike<T> | T
    try {
      running = typeof work === 'function' ? work(signal) : work
    } catch (error) {
      running = Promise.reject(error)
    }
    Promise.resolve(running).then(
      (value) => {
        if (done) return
        done = true
        signal.removeEventListener('abort', onAbort)
        hooks.settled(undefined)
        resolve(value)
      },
      (error: unknown) => {
        // After the cut, the work's own rejection (usually the signal's reason) is nobody's concern.
        if (done) return
        done = true
        signal.removeEventListener('abort', onAbort)
        hooks.settled(error ?? null)
        reject(signal.aborted ? hooks.cut(error) : error)
      },
    )
  })
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

/** Outside an invocation: the call's own limit only, on a timer of its own. */
function withoutDeadline<T>(
  work: DeadlineWork<T>,
  target: OutboundTarget,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
): Promise<T> {
  const controller = new AbortController()
  const startedAt = performance.now()
  const onCallerAbort = () => controller.abort(callerSignal?.reason)
  if (callerSignal?.aborted) onCallerAbort()
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true })
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => controller.abort(new DeadlineTimeoutError(`operation timed out after ${timeoutMs} ms`, 'operation')), timeoutMs)
    : undefined
  return race(work, controller.signal, {
    settled() {
      clearTimeout(timer)
      callerSignal?.removeEventListener('abort', onCallerAbort)
    },
    cut: (cause) => abortError(controller.signal, callerSignal, target, performance.now() - startedAt, timeoutMs, cause),
  })
}
