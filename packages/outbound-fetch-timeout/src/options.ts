import { type Deadline, DeadlineOptionError, type OptionChecker, optionChecker } from '@middy-deadline/deadline'

export const PACKAGE = '@middy-deadline/outbound-fetch-timeout'
export const check: OptionChecker = optionChecker(PACKAGE)

/** A `fetch` as the platform defines it. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

export interface OutboundFetchTimeoutOptions {
  /** Each call's own limit (ms), headers and body; the invocation's cutoff still applies when sooner. */
  perRequestMs: number
  /** A call that cannot get this much time (ms) before the cutoff fails at once, without being sent. */
  minimumMs: number
  /** Make the global `fetch` deadline-aware during this function's invocations (see the docs). */
  patchGlobalFetch: boolean
  /** The fetch that does the work (a custom agent, a test stub); default: the global one at call time. */
  fetch: FetchLike | undefined
}

export const defaults: OutboundFetchTimeoutOptions = {
  perRequestMs: 10_000,
  minimumMs: 100,
  patchGlobalFetch: false,
  fetch: undefined,
}

/** The part of the options the AWS SDK plugin and `withDeadline` share. */
export type CallLimits = Pick<OutboundFetchTimeoutOptions, 'perRequestMs' | 'minimumMs'>

export function validateLimits(options: Partial<CallLimits>): CallLimits {
  const perRequestMs = check.positiveMs('perRequestMs', options.perRequestMs ?? defaults.perRequestMs)
  const minimumMs = check.nonNegativeMs('minimumMs', options.minimumMs ?? defaults.minimumMs)
  if (minimumMs > perRequestMs)
    throw new DeadlineOptionError(PACKAGE, 'minimumMs', `must not exceed perRequestMs (${perRequestMs}), got ${minimumMs}`)
  return { perRequestMs, minimumMs }
}

export function validate(options: Partial<OutboundFetchTimeoutOptions>): OutboundFetchTimeoutOptions {
  check.unknownKeys(options, Object.keys(defaults))
  return {
    ...validateLimits(options),
    patchGlobalFetch: check.boolean('patchGlobalFetch', options.patchGlobalFetch ?? defaults.patchGlobalFetch),
    fetch: check.optionalFn<FetchLike>('fetch', options.fetch),
  }
}

/**
 * The settings of the middleware that runs this invocation, kept on its deadline so that code
 * without `context` (`deadlineFetch`, the patched global `fetch`, `withDeadline`) uses them too.
 */
const SETTINGS_KEY = Symbol.for('@middy-deadline/outbound.settings')
type WithSettings = Deadline & { [SETTINGS_KEY]?: OutboundFetchTimeoutOptions }

export function useSettings(deadline: Deadline, settings: OutboundFetchTimeoutOptions): void {
  Object.defineProperty(deadline, SETTINGS_KEY, { value: settings, configurable: true, enumerable: false, writable: false })
}

/** The invocation's settings, or the defaults where no `outboundFetchTimeout()` ran. */
export function settingsOf(deadline: Deadline): OutboundFetchTimeoutOptions {
  return ownSettingsOf(deadline) ?? defaults
}

/** The settings an `outboundFetchTimeout()` of this invocation put in place, if one did. */
export function ownSettingsOf(deadline: Deadline): OutboundFetchTimeoutOptions | undefined {
  return (deadline as WithSettings)[SETTINGS_KEY]
}

export function sameSettings(a: OutboundFetchTimeoutOptions, b: OutboundFetchTimeoutOptions): boolean {
  return (
    a.perRequestMs === b.perRequestMs && a.minimumMs === b.minimumMs && a.patchGlobalFetch === b.patchGlobalFetch && a.fetch === b.fetch
  )
}

/** Whether this invocation's middleware asked for the global `fetch` to be bound. */
export function patchesGlobalFetch(deadline: Deadline): boolean {
  return (deadline as WithSettings)[SETTINGS_KEY]?.patchGlobalFetch === true
}
