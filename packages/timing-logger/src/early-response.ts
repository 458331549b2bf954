import { endDeadline } from '@middy-deadline/deadline'

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
 * already made `response` an accessor we leave it alone and rely on the plugin.
 */
export function watchEarlyResponse(request: object, onHandlerAnswer: () => void): void {
  const descriptor = Object.getOwnPropertyDescriptor(request, 'response')
  if (descriptor !== undefined && (!descriptor.configurable || !('value' in descriptor))) return
  let value: unknown = descriptor?.value
  Object.defineProperty(request, 'response', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: (next: unknown) => {
      value = next
      if (!('earlyResponse' in request)) {
        if ((request as { error?: unknown }).error === undefined) onHandlerAnswer()
        return
      }
      queueMicrotask(() => {
        if ('earlyResponse' in request) endDeadline(request)
      })
    },
  })
}
