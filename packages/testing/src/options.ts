import { DeadlineOptionError } from '@middy-deadline/deadline/internal'
import type { Context } from 'aws-lambda'
import { optionChecker } from './option-checker.js'

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

// Lambda's memory setting, in MB.
const MIN_MEMORY_MB = 128
const MAX_MEMORY_MB = 10_240
const CONTEXT_OPTIONS = ['timeoutMs', 'awsRequestId', 'functionName', 'functionVersion', 'memoryLimitInMB', 'now'] as const

const check = optionChecker(PACKAGE)

const fail = (option: string, problem: string): never => {
  throw new DeadlineOptionError(PACKAGE, option, problem)
}

// Says what a value is without converting it: String() of some objects throws.
const kind = (value: unknown): string =>
  typeof value === 'string'
    ? JSON.stringify(value)
    : typeof value === 'number' || typeof value === 'boolean' || value === undefined
      ? `${value}`
      : value === null
        ? 'null'
        : typeof value

const text = (option: string, value: unknown): string | undefined =>
  value === undefined || (typeof value === 'string' && value !== '')
    ? value
    : fail(option, `must be a non-empty string, got ${kind(value)}`)

// Only the options object's own properties count: a polluted Object.prototype supplies nothing.
function ownOptions(options: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) return fail('options', `must be an object, got ${kind(options)}`)
  check.unknownKeys(options, known)
  return Object.fromEntries(Object.keys(options).map((key) => [key, (options as Record<string, unknown>)[key]]))
}

/** The options of `createLambdaContext`, checked: every mistake throws a `DeadlineOptionError` naming the option. */
export function validateContextOptions(options: unknown): Partial<LambdaContextOptions> {
  return checkContextOptions(ownOptions(options, CONTEXT_OPTIONS))
}

function checkContextOptions(given: Record<string, unknown>): Partial<LambdaContextOptions> {
  const memory = given.memoryLimitInMB
  if (memory !== undefined && !(Number.isInteger(memory) && (memory as number) >= MIN_MEMORY_MB && (memory as number) <= MAX_MEMORY_MB))
    fail(
      'memoryLimitInMB',
      `must be a whole number of MB from ${MIN_MEMORY_MB} to ${MAX_MEMORY_MB} (what Lambda allows), got ${kind(memory)}`,
    )
  return {
    timeoutMs: given.timeoutMs === undefined ? undefined : check.positiveMs('timeoutMs', given.timeoutMs),
    awsRequestId: text('awsRequestId', given.awsRequestId),
    functionName: text('functionName', given.functionName),
    functionVersion: text('functionVersion', given.functionVersion),
    memoryLimitInMB: memory as number | undefined,
    now: check.optionalFn('now', given.now),
  }
}

/** `invokeWithTimeout`'s first argument, checked like an option. */
export function validateHandler(handler: unknown): void {
  if (typeof handler !== 'function') fail('handler', `must be a function (a Lambda handler), got ${kind(handler)}`)
}

/**
 * The options of `invokeWithTimeout`, checked. A `context` of your own brings its own clock and
 * remaining time, so it cannot be combined with the options that describe a context to make.
 */
export function validateInvokeOptions<TContext extends Context>(
  options: unknown,
): { context: TContext | undefined; contextOptions: Partial<LambdaContextOptions> } {
  const given = ownOptions(options, [...CONTEXT_OPTIONS, 'context'])
  const { context, ...rest } = given
  if (context === undefined) return { context: undefined, contextOptions: checkContextOptions(rest) }
  if (typeof context !== 'object' || context === null) fail('context', `must be a Lambda context object, got ${kind(context)}`)
  const combined = Object.keys(rest).find((key) => rest[key] !== undefined)
  if (combined !== undefined)
    fail(combined, 'cannot be combined with `context`: a context of your own has its own remaining time, name and clock')
  return { context: context as TContext, contextOptions: {} }
}
