import type { Context } from 'aws-lambda'
import { createLambdaContext, type LambdaContextOptions } from './context.js'

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
 * Invokes `handler` the way Lambda would with `timeoutMs` as the function's timeout: if it has
 * not settled by the hard deadline, the outcome is `killed`, with Lambda's own message, and
 * whatever it does afterwards is ignored (Lambda would have stopped it). Uses the clock of
 * `context` (real by default, vitest's fake timers if installed).
 */
export async function invokeWithTimeout<TEvent, TResult, TContext extends Context = Context>(
  handler: LambdaHandler<TEvent, TResult, TContext>,
  event: TEvent,
  options: Partial<LambdaContextOptions> & { context?: TContext } = {},
): Promise<InvocationOutcome<TResult>> {
  const timeoutMs = options.timeoutMs ?? 3000
  const context = options.context ?? createLambdaContext<TContext>({ ...options, timeoutMs })
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
  const run = Promise.resolve().then(() => handler(event, context))
  // After a kill Lambda discards whatever the handler does; so do we, without an unhandled rejection.
  run.catch(() => {})
  try {
    const settled = await Promise.race([
      run.then(
        (response) => ({ ok: true as const, response }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      killed,
    ])
    const durationMs = performance.now() - startedAt
    if (settled === 'killed') {
      return { status: 'killed', message: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`, durationMs }
    }
    const settledBeforeHardDeadlineMs = remainingOf(context)
    return settled.ok
      ? { status: 'succeeded', response: settled.response, durationMs, settledBeforeHardDeadlineMs }
      : { status: 'failed', error: settled.error, durationMs, settledBeforeHardDeadlineMs }
  } finally {
    clearTimeout(killTimer)
  }
}

// Node timers hold at most 2^31-1 ms (about 24.8 days); a longer delay would fire after 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1

/** The context's remaining time; NaN when it cannot tell (no such method, it throws, not a finite number). */
function remainingOf(context: Partial<Context>): number {
  try {
    const remaining: unknown = context.getRemainingTimeInMillis?.()
    return typeof remaining === 'number' && Number.isFinite(remaining) ? remaining : Number.NaN
  } catch {
    return Number.NaN
  }
}
