import {
  checkArgument,
  checkOptions,
  DeadlineOptionError,
  fn,
  integer,
  ms,
  object,
  optional,
  required,
  text,
} from '@middy-deadline/deadline/internal'
import type { Context } from 'aws-lambda'

export const PACKAGE = '@middy-deadline/testing'

export interface LambdaContextOptions {
  /** The function's configured timeout; the remaining time starts here and really decreases. */
  timeoutMs: number
  awsRequestId: string
  functionName: string
  functionVersion: string
  /** What Lambda allows: 128 to 10,240 MB. */
  memoryLimitInMB: number
  /**
   * Epoch ms source. Defaults to `Date.now`, which vitest's fake timers control, so a test can
   * `vi.advanceTimersByTime()` and watch the remaining time fall.
   */
  now: () => number
}

/** `invokeWithTimeout`'s options: those of a context it makes, or a context of your own. */
export type InvokeOptions<TContext extends Context> = Partial<LambdaContextOptions> & { context?: TContext }

export const contextDefaults = { timeoutMs: 3000, functionName: 'test-function', functionVersion: '$LATEST', memoryLimitInMB: 128 }

// What Lambda allows: a function name of up to 64 characters, 128 to 10,240 MB of memory.
const contextSpec = {
  timeoutMs: optional(ms(undefined, true)),
  awsRequestId: optional(text(128)),
  functionName: optional(text(64)),
  functionVersion: optional(text(64)),
  memoryLimitInMB: optional(integer(undefined, 128, 10_240)),
  now: fn<() => number>(),
}
const invokeSpec = { ...contextSpec, context: object<Context>() }

/** The options of `createLambdaContext`, checked: every mistake throws a `DeadlineOptionError` naming the option. */
export function validateContextOptions(options: unknown): Partial<LambdaContextOptions> {
  return given(checkOptions(PACKAGE, contextSpec, options))
}

/** `invokeWithTimeout`'s first argument, checked like an option. */
export function validateHandler(handler: unknown): void {
  checkArgument(PACKAGE, 'handler', required(fn()), handler)
}

/**
 * The options of `invokeWithTimeout`, checked. A `context` of your own brings its own clock and
 * remaining time, so it cannot be combined with the options that describe a context to make.
 */
export function validateInvokeOptions<TContext extends Context>(
  options: unknown,
): { context: TContext | undefined; contextOptions: Partial<LambdaContextOptions> } {
  const { context, ...rest } = checkOptions(PACKAGE, invokeSpec, options)
  const contextOptions = given(rest)
  const combined = Object.keys(contextOptions)[0]
  if (context !== undefined && combined !== undefined)
    throw new DeadlineOptionError(
      PACKAGE,
      combined,
      'cannot be combined with `context`: a context of your own has its own remaining time, name and clock',
    )
  return { context: context as TContext | undefined, contextOptions }
}

// The options that were given: the checked ones without those left out. No prototype: an option
// not given must read as `undefined`, never as what a polluted `Object.prototype` holds.
function given(checked: Partial<LambdaContextOptions>): Partial<LambdaContextOptions> {
  return Object.assign(Object.create(null), Object.fromEntries(Object.entries(checked).filter(([, value]) => value !== undefined)))
}
