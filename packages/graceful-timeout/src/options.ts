import type { Request } from '@middy/core'
import {
  callGuarded,
  checkOptions,
  type Deadline,
  fn,
  list,
  methodOf,
  ms,
  readSafely,
  refuse,
  warnOnFailure,
  withMethods,
} from '@middy-deadline/deadline/internal'
import type { TimeoutRecord } from './record.js'

export const PACKAGE = '@middy-deadline/graceful-timeout'

/** What an `onTimeout` hook is given besides the request. */
export interface TimeoutHookInfo {
  readonly deadline: Deadline
  /** The record written at the cutoff. */
  readonly record: TimeoutRecord
  /** Aborts when this hook's share of the remaining time is used up: stop then. */
  readonly signal: AbortSignal
}

// biome-ignore lint/suspicious/noExplicitAny: Middy's own default for the response type.
export type TimeoutHook<TEvent = unknown, TResult = any> = (request: Request<TEvent, TResult>, info: TimeoutHookInfo) => unknown

/**
 * Where the timeout record and the hook warnings go instead of a JSON line on stdout. Both get
 * one object with a `message` key and no `level` (the method is the level) or `timestamp`: Powertools Logger
 * (`logger.error({ message, ...fields })`) takes that shape as it is.
 */
export interface TimeoutLogger {
  error(record: Omit<TimeoutRecord, 'level' | 'timestamp'>): void
  warn(entry: { message: string } & Record<string, unknown>): void
}

// biome-ignore lint/suspicious/noExplicitAny: Middy's own default for the response type.
export interface GracefulTimeoutOptions<TEvent = unknown, TResult = any> {
  /**
   * How long before Lambda's hard deadline the cutoff comes (ms). The deadline caps it at half
   * of the time the invocation started with. Default 500: see docs/graceful-timeout.md.
   */
  reserveMs: number
  /** Cleanup run at the cutoff, one after another, each bounded by the time left. */
  onTimeout: TimeoutHook<TEvent, TResult> | TimeoutHook<TEvent, TResult>[]
  /**
   * The response to end a timed-out invocation with. Without it, the invocation ends with a
   * `GracefulTimeoutError` (name `TimeoutError`, `statusCode` 504) for the `onError` chain.
   */
  // NoInfer: the handler's result type comes from the chain (or the type arguments), not from this.
  timeoutResponse: ((request: Request<TEvent, TResult>) => NoInfer<TResult> | Promise<NoInfer<TResult>>) | undefined
  /** Where the record goes; default: one JSON line written synchronously to stdout. */
  logger: TimeoutLogger | undefined
  /**
   * A worker thread that writes the record even when the event loop is blocked at the cutoff:
   * `watchdog` from `@middy-deadline/graceful-timeout/watchdog`, its own entry point so that a
   * function without it loads none of it.
   */
  watchdog: TimeoutWatchdog | undefined
}

/**
 * What the `watchdog` option takes: something that puts an invocation under watch. The watchdog of
 * `@middy-deadline/graceful-timeout/watchdog` is one; this entry point knows only this shape.
 */
export interface TimeoutWatchdog {
  /** Puts the invocation under watch until its deadline ends; `undefined` if it cannot be watched. */
  watch(deadline: Deadline): WatchedInvocation | undefined
  /**
   * Gets ready ahead of the first invocation; called when the middleware is created, so that on
   * Lambda the thread starts during init and a cold start's first invocation is watched too.
   */
  prepare?(): void
}

/** The main thread's side of one watched invocation. */
export interface WatchedInvocation {
  /**
   * Tells the watchdog the main thread reached its cutoff handling. Returns `false` if the
   * watchdog had already written the record (the main thread came too late).
   */
  acknowledge(): boolean
}

export interface GracefulTimeoutConfig<TEvent, TResult> {
  reserveMs: number
  onTimeout: TimeoutHook<TEvent, TResult>[]
  timeoutResponse: GracefulTimeoutOptions<TEvent, TResult>['timeoutResponse']
  logger: TimeoutLogger | undefined
  /** The option's watchdog as we call it: its methods read once and guarded, `prepare` always there. */
  watchdog: Required<TimeoutWatchdog> | undefined
}

// Each hook gets an equal share of what is left of the reserve: past a handful the shares are too
// small to flush anything, and a longer list is a mistake.
const MAX_HOOKS = 16

const OPTIONS = {
  reserveMs: ms(500, true),
  onTimeout: list(fn(), MAX_HOOKS),
  timeoutResponse: fn(),
  logger: withMethods<TimeoutLogger>('error', 'warn'),
  watchdog: watchdogOf,
}

export function validate<TEvent, TResult>(options: unknown): GracefulTimeoutConfig<TEvent, TResult> {
  return checkOptions(PACKAGE, OPTIONS, options) as GracefulTimeoutConfig<TEvent, TResult>
}

/**
 * `watchdog: true` was this option's first form: the message says what replaced it. The watchdog
 * is used through its methods read here, so that a `prepare` on a polluted prototype is never
 * called, and each call is guarded: a watchdog that fails leaves the invocation unwatched, with a
 * warning, never failing it.
 */
function watchdogOf(value: unknown): Required<TimeoutWatchdog> | undefined {
  if (value === undefined) return undefined
  let watch: (deadline: Deadline) => unknown
  let prepare: (() => unknown) | undefined
  try {
    watch = methodOf(value as object, 'watch')
    prepare = methodOf(value as object, 'prepare', true)
  } catch {
    return refuse(
      `the watchdog thread of its own entry point, or left out (import { watchdog } from '${PACKAGE}/watchdog', then gracefulTimeout({ watchdog }))`,
      value,
    )
  }
  const failed = warnOnFailure('watchdog:failed', PACKAGE, 'the watchdog failed; invocations go unwatched')
  return {
    watch(deadline) {
      const watched = callGuarded(watch, value, [deadline], failed)
      const acknowledge = readSafely(watched, 'acknowledge')
      // An acknowledgement that fails counts as none: the record is then written, once too often rather than never.
      return typeof acknowledge === 'function'
        ? { acknowledge: () => callGuarded(acknowledge as () => unknown, watched, [], failed) !== false }
        : undefined
    },
    prepare: () => {
      if (prepare !== undefined) callGuarded(prepare, value, [], failed)
    },
  }
}
