import { boolean, checkOptions, type Deadline, DeadlineOptionError, deadlineSlot, fn, ms } from '@middy-deadline/deadline/internal'

import type { DescribeTarget } from './target.js'

export const PACKAGE = '@middy-deadline/outbound-fetch-timeout'

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
  /**
   * How records and errors show a call's URL: by default its origin only (a path may carry a
   * secret, a webhook's token). Credentials, query string and fragment are never shown, whatever
   * this returns.
   */
  describeTarget: DescribeTarget | undefined
}

/** The part of the options the AWS SDK plugin and `withDeadline` share. */
export type CallLimits = Pick<OutboundFetchTimeoutOptions, 'perRequestMs' | 'minimumMs' | 'describeTarget'>

const LIMITS = { perRequestMs: ms(10_000, true), minimumMs: ms(100), describeTarget: fn<DescribeTarget>() }
const OPTIONS = { ...LIMITS, patchGlobalFetch: boolean(false), fetch: fn<FetchLike>() }

// Pure (as `settingsSlot`): a bundle that never reads them leaves them out.
export const defaults: OutboundFetchTimeoutOptions = /* @__PURE__ */ checkOptions(PACKAGE, OPTIONS, {})

export const validate = (options: unknown): OutboundFetchTimeoutOptions => withinLimits(checkOptions(PACKAGE, OPTIONS, options))
export const validateLimits = (options: unknown): CallLimits => withinLimits(checkOptions(PACKAGE, LIMITS, options))

function withinLimits<T extends CallLimits>(config: T): T {
  // A call refused for want of `minimumMs` could never be sent, however long its own limit.
  if (config.minimumMs > config.perRequestMs)
    throw new DeadlineOptionError(PACKAGE, 'minimumMs', `must not exceed perRequestMs (${config.perRequestMs}), got ${config.minimumMs}`)
  return config
}

/**
 * The settings of the middleware that runs this invocation, kept on its deadline so that code
 * without `context` (`deadlineFetch`, the patched global `fetch`, `withDeadline`) uses them too.
 */
const settingsSlot = /* @__PURE__ */ deadlineSlot<OutboundFetchTimeoutOptions>('@middy-deadline/outbound.settings')

export function useSettings(deadline: Deadline, settings: OutboundFetchTimeoutOptions): void {
  settingsSlot.set(deadline, settings)
}

/** The invocation's settings, or the defaults where no `outboundFetchTimeout()` ran. */
export function settingsOf(deadline: Deadline): OutboundFetchTimeoutOptions {
  return ownSettingsOf(deadline) ?? defaults
}

/** The settings an `outboundFetchTimeout()` of this invocation put in place, if one did. */
export function ownSettingsOf(deadline: Deadline): OutboundFetchTimeoutOptions | undefined {
  return settingsSlot.get(deadline)
}

export function sameSettings(a: OutboundFetchTimeoutOptions, b: OutboundFetchTimeoutOptions): boolean {
  return (
    a.perRequestMs === b.perRequestMs &&
    a.minimumMs === b.minimumMs &&
    a.patchGlobalFetch === b.patchGlobalFetch &&
    a.fetch === b.fetch &&
    a.describeTarget === b.describeTarget
  )
}

/** Whether this invocation's middleware asked for the global `fetch` to be bound. */
export function patchesGlobalFetch(deadline: Deadline): boolean {
  return settingsSlot.get(deadline)?.patchGlobalFetch === true
}
