import type { Deadline, DeadlineScope } from '../deadline.js'
import { DeadlineTimeoutError } from '../errors.js'
import { scheduleAfter } from '../timer.js'

/**
 * Why an operation that needs `neededMs` must not start now, or `undefined` when it may: the
 * cutoff has been reached, or less than `neededMs` is left before it. `need` names the requirement
 * in the answer (`minimumMs (100 ms)`). Once the invocation has ended nothing is refused for want
 * of time: the operation's scope aborts at once with `InvocationEndedError`, which says why.
 */
export function noTimeToStart(deadline: Deadline, neededMs: number, need = `${neededMs} ms`): string | undefined {
  if (deadline.ended || deadline.hasTimeFor(neededMs)) return undefined
  if (deadline.cutoffReached) return 'the invocation cutoff has been reached'
  return `${Math.floor(deadline.remaining())} ms left before the invocation cutoff, less than ${need}`
}

/**
 * Settles as `promise` does, or rejects with the signal's reason as soon as it aborts, whichever
 * comes first; the listener goes either way. A promise cannot be stopped, only no longer waited
 * for: once the signal won, what the promise does is nobody's concern (its rejection is handled).
 */
export function raceSignal<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/** The reason an operation's own limit ends it: the same words inside an invocation and outside. */
export function operationTimedOut(timeoutMs: number): DeadlineTimeoutError {
  return new DeadlineTimeoutError(`operation timed out after ${timeoutMs} ms`, 'operation')
}

/**
 * A scope for an operation outside any invocation (no deadline): it aborts at the operation's own
 * limit or with the caller's signal, like `deadline.scope()` without the cutoff.
 */
export function scopeWithoutDeadline(timeoutMs: number | undefined, callerSignal: AbortSignal | undefined): DeadlineScope {
  const controller = new AbortController()
  let cancelTimer: (() => void) | undefined
  const dispose = () => {
    cancelTimer?.()
    callerSignal?.removeEventListener('abort', onCallerAbort)
  }
  const abort = (reason: unknown) => {
    dispose()
    controller.abort(reason)
  }
  const onCallerAbort = () => abort(callerSignal?.reason)
  if (callerSignal?.aborted) onCallerAbort()
  else {
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true })
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs))
      cancelTimer = scheduleAfter(timeoutMs, () => abort(operationTimedOut(timeoutMs)))
  }
  return { signal: controller.signal, dispose, [Symbol.dispose]: dispose }
}
