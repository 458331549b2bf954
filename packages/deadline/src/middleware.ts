import type { MiddlewareObj } from '@middy/core'
import { namedMiddleware } from './internal/named.js'
import { checkOptions, ms } from './internal/options.js'
import { PACKAGE } from './name.js'
import { deadlineOf, releaseDeadline } from './request.js'

export interface DeadlineOptions {
  /** Milliseconds to keep before the hard deadline; other middlewares may ask for more. */
  reserveMs: number
}

// `@__PURE__`: a bundle that never calls deadline() leaves the rule out; a bundler keeps a top-level
// call it cannot prove free of effects, and with it the call's code (docs/performance.md, "Bundle size").
const OPTIONS = { reserveMs: /* @__PURE__ */ ms(0) }

/**
 * Creates the invocation's deadline (`context.deadline`) and ends it when the chain is done.
 * Needed only when none of our other middlewares is used, or to put the deadline in place before
 * middlewares of your own that want it.
 */
export function deadline(options: Partial<DeadlineOptions> = {}): MiddlewareObj {
  const config = checkOptions(PACKAGE, OPTIONS, options)
  return reservingMiddleware('deadline', config.reserveMs)
}

/**
 * The middleware of a package whose only per-invocation job is to put the deadline in place with a
 * reserve, and to end it if it created it. Its functions are named `<name>Before`, `<name>After`,
 * `<name>OnError` (namedMiddleware).
 */
export function reservingMiddleware(name: string, reserveMs: number): MiddlewareObj {
  const release = (request: object) => {
    releaseDeadline(request, middleware)
  }
  const middleware: MiddlewareObj = namedMiddleware(name, {
    before: (request: object) => {
      deadlineOf(request, middleware).reserve(reserveMs)
    },
    after: release,
    // Its own function: naming `release` twice would leave both steps called `<name>OnError`.
    onError: (request: object) => release(request),
  })
  return middleware
}
