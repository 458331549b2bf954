import type { Deadline } from './deadline.js'

/**
 * Where `@middy-deadline/outbound-fetch-timeout` keeps an invocation's outbound calls: on the
 * deadline, under a `Symbol.for` key. The key and the reader live here, beside the deadline, so that
 * the timeout record and the timing logger read the calls without depending on that optional
 * package, and a second copy of it in one bundle writes to the same place.
 */
export const OUTBOUND_CALLS = Symbol.for('@middy-deadline/outbound.calls')

/** One call as recorded; every field is optional to a reader, who may meet another version. */
export interface OutboundCallEntry {
  readonly kind?: string
  readonly label?: string
  readonly method?: string
  readonly url?: string
  readonly durationMs?: number
  readonly outcome?: string
  readonly status?: number
}

/** The calls of an invocation at one moment, as readers may rely on them. */
export interface OutboundCallsSnapshot {
  readonly recent?: readonly OutboundCallEntry[]
  readonly pending?: readonly OutboundCallEntry[]
  readonly counts?: Readonly<Record<string, number>>
  readonly totalDurationMs?: number
}

/** The invocation's outbound calls, if the outbound package recorded any; may throw if its log does. */
export function outboundCallsSnapshot(deadline: Deadline): OutboundCallsSnapshot | undefined {
  const log = (deadline as unknown as Record<symbol, { snapshot?: unknown } | undefined>)[OUTBOUND_CALLS]
  if (typeof log?.snapshot !== 'function') return undefined
  return (log.snapshot as () => OutboundCallsSnapshot)()
}
