import { currentDeadline, storedDeadline } from './current.js'
import { timelineOf } from './deadline.js'
import { deadlineOf, endDeadline } from './request.js'

/**
 * The plugin hooks of `middy(handler, plugin)` that the deadline uses. Middy 6 and 7 both pass the
 * request to `requestStart`, but Middy 6's types declare it without a parameter: an optional one
 * keeps the hooks assignable to both majors' `PluginObject`.
 */
export interface DeadlinePluginHooks {
  requestStart(request?: object): void
  beforeMiddleware(name: string): void
  afterMiddleware(name: string): void
  beforeHandler(): void
  afterHandler(): void
  requestEnd(request: object): void
}

const HANDLER_PHASE = 'handler'

/**
 * Middy plugin hooks that make the deadline exact: it is created before the first middleware
 * (so it measures the whole chain), records each middleware and the handler as a phase (the
 * timing logger and the timeout record read them), and always ends in `requestEnd`, which Middy
 * runs on every path, even when an early response skips every `after`.
 *
 *     middy(handler, { ...deadlinePlugin() })
 *
 * Middy calls `beforeMiddleware(name)` without the request; it runs synchronously inside the
 * invocation, so the current-deadline lookup finds the right one even with concurrent invocations.
 *
 * Middy (6 and 7) calls `beforeMiddleware` synchronously right after `requestStart`,
 * `afterMiddleware` or `afterHandler`, so a middleware's phase starts where the previous one
 * ended, without another clock read. `beforeHandler` reads the clock: Middy 6 reaches it only
 * after awaiting its middleware loop.
 */
export function deadlinePlugin(): DeadlinePluginHooks {
  return {
    requestStart(request) {
      if (request !== undefined) deadlineOf(request)
    },
    beforeMiddleware(name) {
      const deadline = currentDeadline()
      if (deadline === undefined) return
      // Before the first onError runs, the request's error is still the one the invocation raised.
      deadline.noteRequestError()
      timelineOf(deadline).enterPhase(name, true)
    },
    afterMiddleware(name) {
      const deadline = storedDeadline()
      if (deadline !== undefined) timelineOf(deadline).exitPhase(name)
    },
    beforeHandler() {
      const deadline = currentDeadline()
      if (deadline !== undefined) timelineOf(deadline).enterPhase(HANDLER_PHASE)
    },
    afterHandler() {
      const deadline = currentDeadline()
      if (deadline !== undefined) timelineOf(deadline).exitPhase(HANDLER_PHASE)
    },
    requestEnd(request) {
      endDeadline(request)
    },
  }
}
