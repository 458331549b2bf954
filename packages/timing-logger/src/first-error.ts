const ERROR = Symbol('error')
const FIRST = Symbol('firstError')
type Watched = { [ERROR]?: unknown; [FIRST]?: unknown; error?: unknown }

/**
 * Keeps the first error an invocation raised, whatever happens to `request.error` afterwards.
 *
 * The timing logger runs its `onError` last (it is the outermost middleware), and by then an error
 * handler inside it may have replaced the error: `@middy/http-error-handler` (6 and 7) swaps any
 * error it will not expose for a plain `{ statusCode: 500, expose: true }` object, so the record
 * would say `errorName: "object"` instead of the `DbError` the handler threw. Middy assigns the
 * handler's error to `request.error` before any `onError` runs, so an accessor sees it first.
 *
 * Like the early-response accessor, one pair of functions serves every request, and a request
 * whose `error` is already an accessor (someone else's) is left alone: the record then names the
 * error it finds at the end.
 */
const accessor: PropertyDescriptor & ThisType<Watched> = {
  configurable: true,
  enumerable: true,
  get() {
    return this[ERROR]
  },
  set(next: unknown) {
    this[ERROR] = next
    if (!(FIRST in this) && next !== undefined) this[FIRST] = next
  },
}

export function watchFirstError(request: object): void {
  const descriptor = Object.getOwnPropertyDescriptor(request, 'error')
  if (descriptor !== undefined && (!descriptor.configurable || !('value' in descriptor))) return
  const watched = request as Watched
  watched[ERROR] = descriptor?.value
  if (descriptor?.value !== undefined) watched[FIRST] = descriptor.value
  Object.defineProperty(request, 'error', accessor)
}

/** The first error the invocation raised, or the error it ends with if nothing was watching. */
export function firstErrorOf(request: object): unknown {
  const watched = request as Watched
  return FIRST in watched ? watched[FIRST] : watched.error
}
