import type { MiddlewareObj } from '@middy/core'
import { deadlineOf, namedMiddleware, releaseDeadline, warnOnce } from '@middy-deadline/deadline/internal'
import { fetchBoundTo } from './fetch.js'
import { patchGlobalFetch } from './global-fetch.js'
import { type OutboundFetchTimeoutOptions, ownSettingsOf, PACKAGE, sameSettings, useSettings, validate } from './options.js'

/**
 * Bounds every outbound call of the invocation by the shared deadline: `context.fetch`,
 * `deadlineFetch` and `withDeadline` anywhere in the invocation's code, and, with
 * `patchGlobalFetch: true`, the global `fetch` that third-party code calls.
 */
export function outboundFetchTimeout(options: Partial<OutboundFetchTimeoutOptions> = {}): MiddlewareObj {
  const config = validate(options)

  const outboundFetchTimeoutBefore = (request: { context: object }) => {
    const deadline = deadlineOf(request, middleware)
    // Used twice in one chain (shared chains make it easy): the outer one's settings apply.
    const outer = ownSettingsOf(deadline)
    if (outer !== undefined) {
      if (!sameSettings(outer, config))
        warnOnce(
          'outbound-fetch-timeout:twice',
          PACKAGE,
          'outboundFetchTimeout used twice in one chain with different options: the outer one applies, the inner one is ignored',
        )
      return
    }
    useSettings(deadline, config)
    exposeFetch(request.context, fetchBoundTo(deadline))
    // Installed at the first invocation, not when the middleware is created: creating a handler
    // (in a test, in a tool that only imports the module) must not change a process-wide global.
    if (config.patchGlobalFetch) patchGlobalFetch()
  }
  const outboundFetchTimeoutAfter = (request: object) => {
    releaseDeadline(request, middleware)
  }
  const outboundFetchTimeoutOnError = (request: object) => {
    releaseDeadline(request, middleware)
  }

  const middleware: MiddlewareObj = namedMiddleware('outboundFetchTimeout', {
    before: outboundFetchTimeoutBefore,
    after: outboundFetchTimeoutAfter,
    onError: outboundFetchTimeoutOnError,
  })
  return middleware
}

function exposeFetch(context: object, fetch: unknown): void {
  // `false` for a primitive too (a handler called without a context).
  if (!Object.isExtensible(context)) return
  // Not enumerable, like `context.deadline`: serialising the context must not show it.
  Object.defineProperty(context, 'fetch', { value: fetch, configurable: true, enumerable: false, writable: false })
}
