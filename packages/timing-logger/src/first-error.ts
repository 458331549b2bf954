import { endDeadline, existingDeadlineOf, readSafely } from '@middy-deadline/deadline/internal'

const ERROR = Symbol('error')
type Watched = { [ERROR]?: unknown }

/**
 * Without `deadlinePlugin()`, what the deadline cannot see of `request.error` by itself:
 *
 * - The first error the invocation raised. The timing logger runs its `onError` last (it is the
 *   outermost middleware), and by then an error handler inside it may have replaced the error:
 *   `@middy/http-error-handler` (6 and 7) swaps any error it will not expose for a plain
 *   `{ statusCode: 500, expose: true }` object. Middy assigns the error before any `onError` runs,
 *   so the accessor hands it to the deadline first (`deadline.noteError`). With the plugin, its
 *   `beforeMiddleware` hook does the same without an accessor.
 * - An `onError` that throws. Middy (6 and 7) then stops the chain: no `after` or `onError` of ours
 *   runs, and the plugin's `requestEnd` is the only other thing that would end the deadline. Middy
 *   marks that error as it assigns it (`error.originalError` is the error it replaces), and throws
 *   it out of the invocation right after: the invocation is over, and so is its deadline (which
 *   writes the record before the invocation has returned).
 *
 * Like the early-response accessor, one pair of functions serves every request, and a request whose
 * `error` is already an accessor (someone else's) is left alone.
 */
const accessor: PropertyDescriptor & ThisType<Watched> = {
  configurable: true,
  enumerable: true,
  get() {
    return this[ERROR]
  },
  set(next: unknown) {
    const previous = this[ERROR]
    this[ERROR] = next
    existingDeadlineOf(this)?.noteError(next)
    // A thrown value is anything, a Proxy that throws on every read included.
    if (previous !== undefined && readSafely(next, 'originalError') === previous) endDeadline(this)
  },
}

export function watchErrors(request: object): void {
  const descriptor = Object.getOwnPropertyDescriptor(request, 'error')
  if (descriptor !== undefined && (!descriptor.configurable || !('value' in descriptor))) return
  ;(request as Watched)[ERROR] = descriptor?.value
  Object.defineProperty(request, 'error', accessor)
}
