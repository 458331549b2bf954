import { isolated, MAX_TIMER_MS } from '@middy-deadline/deadline/internal'
import type { Context } from 'aws-lambda'
import { createLambdaContext } from './context.js'
import { contextDefaults, type InvokeOptions, validateHandler, validateInvokeOptions } from './options.js'

export type InvocationOutcome<TResult> =
  | { status: 'succeeded'; response: TResult; durationMs: number; settledBeforeHardDeadlineMs: number }
  | { status: 'failed'; error: unknown; durationMs: number; settledBeforeHardDeadlineMs: number }
  | { status: 'killed'; message: string; durationMs: number }

/**
 * Any handler Lambda could call: a plain function or a Middy handler. The runtime passes only the
 * event and the context; `options?: never` lets Middy's three-parameter type fit.
 */
export type LambdaHandler<TEvent, TResult, TContext extends Context = Context> = (
  event: TEvent,
  context: TContext,
  options?: never,
) => Promise<TResult> | TResult

/**
 * Invokes `handler` the way Lambda would with `timeoutMs` as the function's timeout (or, with a
 * `context` of your own, the time it has left when the invocation starts). Anything that settles
 * after the hard deadline is `killed`, with Lambda's own message naming that timeout: a handler
 * still running when the kill timer fires, and also one that blocked the event loop past the
 * deadline (the timer could not fire) and settled afterwards. Whatever it does after the kill is
 * ignored (Lambda would have stopped it). Uses the clock of `context` (real by default, vitest's
 * fake timers if installed). Options are checked first: a mistake throws a `DeadlineOptionError`.
 */
export async function invokeWithTimeout<TEvent, TResult, TContext extends Context = Context>(
  handler: LambdaHandler<TEvent, TResult, TContext>,
  event: TEvent,
  options: InvokeOptions<TContext> = {},
): Promise<InvocationOutcome<TResult>> {
  validateHandler(handler)
  const { context: own, contextOptions } = validateInvokeOptions<TContext>(options)
  const context = own ?? createLambdaContext<TContext>(contextOptions)
  const timeoutMs = own === undefined ? (contextOptions.timeoutMs ?? contextDefaults.timeoutMs) : remainingOf(context)
  const startedAt = performance.now()
  let killTimer: NodeJS.Timeout | undefined
  const killed = new Promise<'killed'>((resolve) => {
    // Re-read on each arming: the context computes it from the clock, as Lambda's does.
    const arm = () => {
      const remainingMs = remainingOf(context)
      if (Number.isNaN(remainingMs)) return
      killTimer = remainingMs > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(() => resolve('killed'), Math.max(0, remainingMs))
    }
    arm()
  })
  // In an async scope of its own: a deadline that Middy's first `before` enters there never reaches
  // the caller, nor another invocation started from it (called directly, Middy runs that `before`
  // in the caller's frame), and none of the caller's shows through.
  const run = Promise.resolve().then(() => isolated(() => handler(event, context)))
  // After a kill Lambda discards whatever the handler does; so do we, without an unhandled rejection.
  run.catch(() => {})
  try {
    // The time left is read the moment the handler settles: a handler that blocked the event loop
    // settles before the kill timer can fire, with the deadline already behind it.
    const settled = await Promise.race([
      run.then(
        (response) => ({ ok: true as const, response, remainingMs: remainingOf(context) }),
        (error: unknown) => ({ ok: false as const, error, remainingMs: remainingOf(context) }),
      ),
      killed,
    ])
    const durationMs = performance.now() - startedAt
    if (settled === 'killed' || settled.remainingMs <= 0) {
      return { status: 'killed', message: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`, durationMs }
    }
    const settledBeforeHardDeadlineMs = settled.remainingMs
    return settled.ok
      ? { status: 'succeeded', response: settled.response, durationMs, settledBeforeHardDeadlineMs }
      : { status: 'failed', error: settled.error, durationMs, settledBeforeHardDeadlineMs }
  } finally {
    clearTimeout(killTimer)
  }
}

/** The context's remaining time; NaN when it cannot tell (no such method, it throws, not a finite number). */
function remainingOf(context: Partial<Context>): number {
  try {
    const remaining: unknown = context.getRemainingTimeInMillis?.()
    return typeof remaining === 'number' && Number.isFinite(remaining) ? remaining : Number.NaN
  } catch {
    return Number.NaN
  }
}
