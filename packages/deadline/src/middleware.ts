import type { MiddlewareObj } from '@middy/core'
import { type OptionChecker, optionChecker } from './options.js'
import { deadlineOf, releaseDeadline } from './request.js'

const PACKAGE = '@middy-deadline/deadline'

export interface DeadlineOptions {
  /** Milliseconds to keep before the hard deadline; other middlewares may ask for more. */
  reserveMs: number
}

const defaults: DeadlineOptions = { reserveMs: 0 }

function validate(options: Partial<DeadlineOptions>, check: OptionChecker): DeadlineOptions {
  check.unknownKeys(options, Object.keys(defaults))
  const config = { ...defaults, ...options }
  return { reserveMs: check.nonNegativeMs('reserveMs', config.reserveMs) }
}

/**
 * Creates the invocation's deadline (`context.deadline`) and ends it when the chain is done.
 * Needed only when none of our other middlewares is used, or to put the deadline in place before
 * middlewares of your own that want it.
 */
export function deadline(options: Partial<DeadlineOptions> = {}): MiddlewareObj {
  const config = validate(options, optionChecker(PACKAGE))
  const middleware: MiddlewareObj = {}

  const deadlineBefore = (request: object) => {
    deadlineOf(request, middleware).reserve(config.reserveMs)
  }
  const deadlineAfter = (request: object) => {
    releaseDeadline(request, middleware)
  }
  const deadlineOnError = (request: object) => {
    releaseDeadline(request, middleware)
  }

  middleware.before = deadlineBefore
  middleware.after = deadlineAfter
  middleware.onError = deadlineOnError
  return middleware
}
