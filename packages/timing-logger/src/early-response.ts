import { endDeadline } from '@middy-deadline/deadline/internal'

const VALUE = Symbol('response')
const ANSWERED = Symbol('handlerAnswered')
const ON_EARLY = Symbol('onEarlyResponse')
type Watched = { [VALUE]?: unknown; [ANSWERED]?: true; [ON_EARLY]?: (response: unknown) => unknown; error?: unknown }

/**
 * Makes the invocation end when a middleware answers early, even without `deadlinePlugin()`.
 *
 * A `before` (or an `after`/`onError`) that returns a value makes Middy (6 and 7) set
 * `request.earlyResponse`, copy it to `request.response` and stop the chain: every remaining
 * `after` is skipped, ours and that of the middleware owning the deadline, so nothing would end
 * it (and so write the record) until its cutoff timer, if one was even armed. Middy always makes
 * that copy, so an accessor on `request.response` sees it happen. The end waits one microtask:
 * Middy's error path also writes `response` before it deletes a stale `earlyResponse`, and by
 * then the check below sees the truth. A microtask still runs before Middy hands the response
 * back, so the record and the `Server-Timing` header are there in time.
 *
 * The accessor keeps the value exactly as a plain property would; if another middleware has
 * already made `response` an accessor we leave it alone and rely on the plugin. One pair of
 * functions serves every request (`this` is the request), so watching allocates nothing.
 */
const accessor: PropertyDescriptor & ThisType<Watched> = {
  configurable: true,
  enumerable: true,
  get() {
    return this[VALUE]
  },
  set(next: unknown) {
    this[VALUE] = next
    if (!('earlyResponse' in this)) {
      if (this.error === undefined) this[ANSWERED] = true
      return
    }
    // Middy reads an early response back right away, before any microtask: what it should read
    // instead (the response with its Server-Timing header) is decided here.
    const onEarly = this[ON_EARLY]
    if (onEarly !== undefined) this[VALUE] = onEarly(next)
    queueMicrotask(() => {
      if ('earlyResponse' in this) endDeadline(this)
    })
  },
}

/** `onEarly` turns an early response into the one Middy hands back. */
export function watchEarlyResponse(request: object, onEarly?: (response: unknown) => unknown): void {
  const descriptor = Object.getOwnPropertyDescriptor(request, 'response')
  if (descriptor !== undefined && (!descriptor.configurable || !('value' in descriptor))) return
  ;(request as Watched)[VALUE] = descriptor?.value
  if (onEarly !== undefined) (request as Watched)[ON_EARLY] = onEarly
  Object.defineProperty(request, 'response', accessor)
}

/** The handler's answer reached `request.response` (as seen by the accessor). */
export const handlerAnswered = (request: object): boolean => ANSWERED in request
