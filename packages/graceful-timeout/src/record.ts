import {
  type Deadline,
  type DeadlineMark,
  outboundCallsSnapshot,
  RECORD_LIMITS,
  recordMarks,
  recordName,
} from '@middy-deadline/deadline/internal'
import { PACKAGE } from './options.js'

/** One outbound call still running at the cutoff, as the outbound package recorded it. */
export interface PendingCallRecord {
  kind?: string
  label?: string
  method?: string
  url?: string
  durationMs?: number
}

/** How the cutoff came: our own timer, or `@middy/core`'s early timeout firing first. */
export type TimeoutTrigger = 'cutoff' | 'middy-timeout'

/**
 * The one log record of a timed-out invocation. On stdout it starts as the timing logger's record
 * does: `timestamp`, `level`, `message`; a logger gets it without `timestamp` and `level` (it adds
 * its own).
 */
export interface TimeoutRecord {
  /** When the record was written (ISO 8601, UTC). */
  timestamp: string
  level: 'ERROR'
  message: string
  package: typeof PACKAGE
  /** `main` when the invocation wrote it, `watchdog` when the worker thread had to. */
  source: 'main' | 'watchdog'
  trigger: TimeoutTrigger
  requestId: string
  /** Remaining time when the invocation started: the function's configured timeout, near enough. */
  budgetMs: number
  reserveMs: number
  elapsedMs: number
  /** Milliseconds left until Lambda's hard deadline when the record was written. */
  remainingMs: number
  /** Where the invocation was: the open middleware phase, or `handler`. */
  phase: string
  /** The last marks (at most `RECORD_LIMITS.marks`). */
  marks: DeadlineMark[]
  /** Marks left out of `marks`, when there were more. */
  droppedMarks?: number
  /** Outbound calls still running, when `@middy-deadline/outbound-fetch-timeout` recorded them (the oldest first, at most `RECORD_LIMITS.pending`). */
  pending?: PendingCallRecord[]
  /** Calls still running left out of `pending`. */
  droppedPending?: number
}

export function timeoutRecord(deadline: Deadline, phase: string, trigger: TimeoutTrigger): TimeoutRecord {
  const elapsedMs = Math.round(deadline.elapsed())
  const remainingMs = Math.round(deadline.remainingToHardDeadline())
  const marks = recordMarks(deadline.marks, Math.round)
  // A middleware function without a name opens a phase named '': shown as the timing logger shows it.
  phase = recordName(phase) || 'anonymous'
  const record: TimeoutRecord = {
    timestamp: new Date().toISOString(),
    level: 'ERROR',
    message: `Invocation reached its cutoff after ${elapsedMs} ms, ${remainingMs} ms before the hard timeout, in ${phase}`,
    package: PACKAGE,
    source: 'main',
    trigger,
    requestId: deadline.requestId,
    budgetMs: Math.round(deadline.budgetMs),
    reserveMs: deadline.reserveMs,
    elapsedMs,
    remainingMs,
    phase,
    marks: marks.marks,
  }
  if (marks.dropped > 0) record.droppedMarks = marks.dropped
  const pending = pendingCalls(deadline)
  if (pending !== undefined) {
    record.pending = pending.slice(0, RECORD_LIMITS.pending)
    if (pending.length > RECORD_LIMITS.pending) record.droppedPending = pending.length - RECORD_LIMITS.pending
  }
  return record
}

function pendingCalls(deadline: Deadline): PendingCallRecord[] | undefined {
  try {
    const pending: unknown = outboundCallsSnapshot(deadline)?.pending
    if (!Array.isArray(pending) || pending.length === 0) return undefined
    return pending.map((call: PendingCallRecord) => ({
      kind: recordName(call.kind),
      label: recordName(call.label),
      method: recordName(call.method),
      url: recordName(call.url),
      durationMs: typeof call.durationMs === 'number' ? Math.round(call.durationMs) : undefined,
    }))
  } catch {
    // Someone else's structure: a record without it is better than no record.
    return undefined
  }
}
