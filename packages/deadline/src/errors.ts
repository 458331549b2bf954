import { readSafely } from './internal/guard.js'

/**
 * Which limit ended an operation; every timeout error of ours says it with these two words:
 * - `cutoff`: the invocation's cutoff (the hard deadline less the reserve) came, or was too close
 *   to start or to retry the operation;
 * - `operation`: the operation's own limit (a scope's `timeoutMs`, a call's `perRequestMs`, an
 *   item's `itemTimeoutMs`, an `onTimeout` hook's share of the reserve).
 */
export type DeadlineLimit = 'cutoff' | 'operation'

/**
 * A time limit of ours ended something. The deadline's signal aborts with one at the cutoff, and
 * every other timeout error of middy-deadline extends it (`OutboundTimeoutError`,
 * `GracefulTimeoutError`, `ItemAbandonedError`): `error instanceof DeadlineTimeoutError` tests for
 * any of them. Named `TimeoutError` like the platform's own (`AbortSignal.timeout`) and Middy's
 * early timeout, so existing `err.name === 'TimeoutError'` checks and `@middy/http-error-handler`
 * treat each of them as a timeout.
 */
export class DeadlineTimeoutError extends Error {
  override readonly name = 'TimeoutError'
  readonly limit: DeadlineLimit
  constructor(message: string, limit: DeadlineLimit, options?: ErrorOptions) {
    super(message, options)
    this.limit = limit
  }
}

/** The reason a deadline signal aborts when the invocation is over before its cutoff. */
export class InvocationEndedError extends Error {
  override readonly name = 'InvocationEndedError'
}

/** Thrown when a middleware is created with an option it cannot use. */
export class DeadlineOptionError extends TypeError {
  override readonly name = 'DeadlineOptionError'
  readonly packageName: string
  readonly option: string
  constructor(packageName: string, option: string, problem: string) {
    super(`${packageName}: option \`${option}\` ${problem}`)
    this.packageName = packageName
    this.option = option
  }
}

// Wrapped errors rarely nest deeper; the bound also protects against cause cycles.
const MAX_CAUSE_DEPTH = 8

/**
 * An error and the errors it wraps (`cause`), outermost first. Clients often wrap an abort in
 * their own error, so a timeout has to be recognised anywhere along the chain. Each link is read
 * once, with care (a thrown value may be a proxy, or have getters that throw): what cannot be read
 * is `undefined`.
 */
export function* causeChain(error: unknown): Generator<{ name?: unknown; limit?: unknown; cause?: unknown }> {
  let current = error
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const link = { name: readSafely(current, 'name'), limit: readSafely(current, 'limit'), cause: readSafely(current, 'cause') }
    yield link
    current = link.cause
  }
}
