import { type Deadline, type DeadlineLimit, deadlineSlot, OUTBOUND_CALLS_SLOT } from '@middy-deadline/deadline/internal'
import { notSentError, type OutboundOutcome, type OutboundTarget, type OutboundTimeoutError } from './errors.js'

export type OutboundKind = 'fetch' | 'aws-sdk' | 'custom'

/** One outbound call of the invocation, finished or still running. */
export interface OutboundCall extends OutboundTarget {
  readonly kind: OutboundKind
  /** Milliseconds from the start of the invocation to the start of the call. */
  readonly startMs: number
  /** Milliseconds the call took (headers and body for HTTP); for a pending call, how long it has run. */
  readonly durationMs: number
  /** `undefined` while the call is still running. */
  readonly outcome: OutboundOutcome | undefined
  /** Which limit cut the call when `outcome` is `timeout`. */
  readonly limit: DeadlineLimit | undefined
  /** HTTP status of the response, when one came. */
  readonly status: number | undefined
  /** AWS SDK: how many attempts the SDK's retry made. */
  readonly attempts: number | undefined
}

export interface OutboundCallCounts {
  started: number
  ok: number
  error: number
  timeout: number
  aborted: number
}

/** What an invocation's outbound calls looked like at one moment. */
export interface OutboundCalls {
  /** The last finished calls (at most {@link RECENT_CALLS}), oldest first. */
  readonly recent: readonly OutboundCall[]
  /** Calls started and not finished, oldest first, with `durationMs` as time running so far. */
  readonly pending: readonly OutboundCall[]
  readonly counts: Readonly<OutboundCallCounts>
  /** Sum of the durations of every finished call (not only the recent ones). */
  readonly totalDurationMs: number
  /** Finished calls no longer kept in `recent`. */
  readonly dropped: number
}

/** How many finished calls an invocation keeps: a batch making thousands stays bounded. */
export const RECENT_CALLS = 50

/**
 * Kept on the deadline in the slot the deadline package names, so that another package (the timing
 * logger, the timeout record) or a second copy of this one reads it without importing this module.
 */
const callLog = deadlineSlot<OutboundCallLog>(OUTBOUND_CALLS_SLOT)

const noCalls = (): OutboundCallCounts => ({ started: 0, ok: 0, error: 0, timeout: 0, aborted: 0 })

type MutableCall = { -readonly [K in keyof OutboundCall]: OutboundCall[K] }

/** The live record; use {@link outboundCallsOf} to read it. */
export class OutboundCallLog {
  readonly #deadline: Deadline
  readonly #recent: OutboundCall[] = []
  readonly #pending = new Set<MutableCall>()
  readonly #counts = noCalls()
  #totalDurationMs = 0

  constructor(deadline: Deadline) {
    this.#deadline = deadline
  }

  /**
   * The error for a call that must not start, less than `minimumMs` being left before the cutoff,
   * recorded as a timeout; `undefined` when it may start.
   */
  refusal(kind: OutboundKind, target: OutboundTarget, minimumMs: number): OutboundTimeoutError | undefined {
    const error = notSentError(target, this.#deadline, minimumMs)
    if (error !== undefined) this.start(kind, target).finish('timeout', 'cutoff')
    return error
  }

  start(kind: OutboundKind, target: OutboundTarget): PendingCall {
    const call: MutableCall = {
      kind,
      label: target.label,
      method: target.method,
      url: target.url,
      startMs: this.#deadline.elapsed(),
      durationMs: 0,
      outcome: undefined,
      limit: undefined,
      status: undefined,
      attempts: undefined,
    }
    this.#counts.started++
    this.#pending.add(call)
    return new PendingCall(this, call)
  }

  /** @internal */
  finish(call: MutableCall, outcome: OutboundOutcome, limit: DeadlineLimit | undefined, endMs = this.#deadline.elapsed()): void {
    if (!this.#pending.delete(call)) return
    call.durationMs = endMs - call.startMs
    call.outcome = outcome
    call.limit = limit
    this.#counts[outcome]++
    this.#totalDurationMs += call.durationMs
    this.#recent.push(call)
    if (this.#recent.length > RECENT_CALLS) this.#recent.shift()
  }

  /** @internal ms since the invocation started. */
  now(): number {
    return this.#deadline.elapsed()
  }

  snapshot(): OutboundCalls {
    const now = this.#deadline.elapsed()
    return {
      recent: this.#recent.map((call) => ({ ...call })),
      pending: [...this.#pending].map((call) => ({ ...call, durationMs: now - call.startMs })),
      counts: { ...this.#counts },
      totalDurationMs: this.#totalDurationMs,
      dropped: this.#counts.started - this.#pending.size - this.#recent.length,
    }
  }
}

/** A started call: fill in what is learned on the way, finish it once. */
export class PendingCall {
  readonly #log: OutboundCallLog
  readonly #call: MutableCall

  constructor(log: OutboundCallLog, call: MutableCall) {
    this.#log = log
    this.#call = call
  }

  update(fields: Partial<Pick<OutboundCall, 'method' | 'url' | 'label' | 'status' | 'attempts'>>): void {
    Object.assign(this.#call, fields)
  }

  /** `endMs` (ms since the invocation started) when the call ended earlier than now. */
  finish(outcome: OutboundOutcome, limit?: DeadlineLimit, endMs?: number): void {
    this.#log.finish(this.#call, outcome, limit, endMs)
  }

  /**
   * For a call ended by its signal aborting. The deadline aborts its scopes at the cutoff just
   * before it runs its cutoff listeners, and those (the timeout record) must still find the call
   * among the pending ones: the record moves a microtask later, with the time it ended now.
   */
  finishOnAbort(outcome: OutboundOutcome, limit?: DeadlineLimit, endMs = this.#log.now()): void {
    queueMicrotask(() => this.#log.finish(this.#call, outcome, limit, endMs))
  }
}

/** The invocation's call log, created on first use. */
export function callLogOf(deadline: Deadline): OutboundCallLog {
  let log = callLog.get(deadline)
  if (log === undefined) {
    log = new OutboundCallLog(deadline)
    callLog.set(deadline, log)
  }
  return log
}

// Pure, so that a bundle without outboundCallsOf() leaves it out (a bundler keeps top-level calls).
const EMPTY: OutboundCalls = /* @__PURE__ */ Object.freeze({
  recent: /* @__PURE__ */ Object.freeze([]),
  pending: /* @__PURE__ */ Object.freeze([]),
  counts: /* @__PURE__ */ Object.freeze(/* @__PURE__ */ noCalls()),
  totalDurationMs: 0,
  dropped: 0,
})

/**
 * The outbound calls of an invocation so far: the last finished ones, those still running, and
 * counters over all of them. An invocation without any call gives an empty record.
 */
export function outboundCallsOf(deadline: Deadline): OutboundCalls {
  const log = callLog.get(deadline)
  return log === undefined ? EMPTY : log.snapshot()
}
