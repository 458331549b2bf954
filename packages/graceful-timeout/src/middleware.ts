import type { MiddlewareObj, Request } from '@middy/core'
import {
  deadlineOf,
  describeError,
  existingDeadlineOf,
  namedMiddleware,
  reachCutoff,
  releaseDeadline,
  warnOnce,
} from '@middy-deadline/deadline/internal'
import { CutoffHandling } from './cutoff.js'
import { GracefulTimeoutError } from './errors.js'
import { writeWarning } from './log.js'
import { type GracefulTimeoutOptions, PACKAGE, validate } from './options.js'
import { type GracefulTimeoutPlugin, gracefulTimeoutPlugin } from './plugin.js'
import { timeoutTrigger } from './recognise.js'

// biome-ignore lint/suspicious/noExplicitAny: Middy's own default for the response type.
export interface GracefulTimeoutMiddleware<TEvent = unknown, TResult = any> extends MiddlewareObj<TEvent, TResult> {
  /**
   * Options for `middy(handler, graceful.plugin)`: Middy's early timeout set to the same reserve
   * (so a handler that ignores the signal is still settled at the cutoff) and the deadline's
   * plugin hooks (so the record can say which middleware was running).
   */
  readonly plugin: GracefulTimeoutPlugin
}

const HANDLING = Symbol('@middy-deadline/graceful-timeout.handling')
type WithHandling<TEvent, TResult> = Request<TEvent, TResult> & { [HANDLING]?: CutoffHandling<TEvent, TResult> }

/**
 * Ends an invocation on your terms before Lambda's hard timeout: at the cutoff the deadline's
 * signal aborts, the timeout record is written, the `onTimeout` hooks run, and the invocation
 * settles with a `GracefulTimeoutError` (or `timeoutResponse`) instead of being killed.
 */
// biome-ignore lint/suspicious/noExplicitAny: Middy's own default for the response type.
export function gracefulTimeout<TEvent = unknown, TResult = any>(
  options: Partial<GracefulTimeoutOptions<TEvent, TResult>> = {},
): GracefulTimeoutMiddleware<TEvent, TResult> {
  const config = validate<TEvent, TResult>(options)
  config.watchdog?.prepare()

  const gracefulTimeoutBefore = (request: WithHandling<TEvent, TResult>): void => {
    const deadline = deadlineOf(request, middleware)
    deadline.reserve(config.reserveMs)
    const outer = request[HANDLING]
    if (outer !== undefined) {
      joinOuter(outer)
      return
    }
    const watched = config.watchdog?.watch(deadline)
    const handling = new CutoffHandling(middleware, request, deadline, config, watched)
    request[HANDLING] = handling
    deadline.onCutoff(handling.onCutoff)
  }

  const gracefulTimeoutAfter = async (request: WithHandling<TEvent, TResult>): Promise<void> => {
    const handling = request[HANDLING]
    if (handling?.owner === middleware) {
      handling.stage = 'after'
      // The handler answered after the cutoff: its answer stands, once the hooks have run.
      // Stryker disable next-line ConditionalExpression: equivalent, startHooks() does nothing before the cutoff (the check saves an await)
      if (handling.reached) await handling.startHooks()
    }
    releaseDeadline(request, middleware)
  }

  const gracefulTimeoutOnError = async (request: WithHandling<TEvent, TResult>): Promise<void> => {
    const handling = request[HANDLING]
    const deadline = existingDeadlineOf(request)
    if (handling?.owner !== middleware || deadline === undefined) {
      // Our `before` never ran (an earlier middleware threw), or another instance handles it.
      releaseDeadline(request, middleware)
      return
    }
    handling.stage = 'onError'
    const trigger = timeoutTrigger(request.error, deadline)
    if (trigger !== undefined && !handling.reached) {
      // The timeout came before our cutoff listener ran: Middy's early timeout fired first, or an
      // event loop blocked past the cutoff kept its timer from firing (the deadline's `cutoffReached`
      // is already true then: it goes by time). It is the cutoff now: the record, then the hooks.
      handling.trigger = trigger
      reachCutoff(deadline)
    }
    await handling.startHooks()
    if (trigger !== undefined) await endWithTimeout(request, deadline.requestId)
    releaseDeadline(request, middleware)
  }

  // Used twice in one chain (shared chains make it easy): the outer one handles the cutoff, with its
  // record, response, logger and watchdog; the inner one's reserve counts and its hooks run after the
  // outer one's, since dropping someone's cleanup would lose what it was there to save.
  const joinOuter = (outer: CutoffHandling<TEvent, TResult>): void => {
    if (config.onTimeout.length > 0) outer.addHooks(config.onTimeout)
    if (config.timeoutResponse !== undefined || config.logger !== undefined || config.watchdog !== undefined)
      warnOnce(
        // Stryker disable next-line StringLiteral: equivalent, the key only keeps this warning apart from the others said once
        'graceful-timeout:twice',
        PACKAGE,
        'gracefulTimeout used twice in one chain: the outer one handles the cutoff; the timeoutResponse, logger and watchdog of the inner one are not used (its reserve and onTimeout hooks are)',
      )
  }

  // Middy runs the `onError` of outer middlewares after ours: we replace `request.error` (or set
  // `request.response`) instead of throwing, which would end the chain and skip, for instance,
  // `@middy/http-error-handler`.
  const endWithTimeout = async (request: WithHandling<TEvent, TResult>, requestId: string): Promise<void> => {
    if (config.timeoutResponse === undefined) {
      request.error = new GracefulTimeoutError(requestId, { cause: request.error })
      return
    }
    try {
      request.response = await config.timeoutResponse(request)
    } catch (error) {
      writeWarning(config.logger, 'timeoutResponse failed; ending with its error', { error: describeError(error), requestId })
      request.error = error as Error
    }
  }

  const middleware: GracefulTimeoutMiddleware<TEvent, TResult> = namedMiddleware('gracefulTimeout', {
    before: gracefulTimeoutBefore,
    after: gracefulTimeoutAfter,
    onError: gracefulTimeoutOnError,
    plugin: gracefulTimeoutPlugin(config.reserveMs),
  })
  return middleware
}
