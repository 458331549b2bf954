import type { Deadline } from './deadline.js'
import { deadlineSlot } from './internal/slot.js'

/**
 * The name of the slot where `@middy-deadline/outbound-fetch-timeout` keeps an invocation's
 * outbound calls on the deadline. It lives here, beside the deadline, so that the timeout record and
 * the timing logger read the calls without depending on that optional package, and a second copy of
 * it in one bundle writes to the same place.
 */
export const OUTBOUND_CALLS_SLOT = '@middy-deadline/outbound.calls'

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

// What a reader may rely on: another version of the outbound package may have written it. Pure, so
// that a bundle that never reads the calls leaves the slot out.
const outboundCalls = /* @__PURE__ */ deadlineSlot<{ snapshot?: unknown }>(OUTBOUND_CALLS_SLOT)

/** The invocation's outbound calls, if the outbound package recorded any; may throw if its log does. */
export function outboundCallsSnapshot(deadline: Deadline): OutboundCallsSnapshot | undefined {
  const log = outboundCalls.get(deadline)
  if (typeof log?.snapshot !== 'function') return undefined
  return (log.snapshot as () => OutboundCallsSnapshot)()
}
