import {
  causeChain,
  type Deadline,
  type DeadlineMark,
  RECORD_LIMITS,
  readSafely,
  recordMarks,
  recordName,
} from '@middy-deadline/deadline/internal'
import type { ColdStart, InitType } from './cold-start.js'
import { peakRssMB } from './memory.js'
import type { Level } from './output.js'
import { type OwnMarks, type PhaseTiming, phasesOf, round, type TimingSource, totalsOf } from './phases.js'

/** How the invocation ended, as the caller saw it. */
export type Outcome = 'success' | 'error' | 'early-response' | 'timeout'

/** The one record of an invocation. Never the event or the response body. */
export interface TimingRecord {
  /** When the record was written (ISO 8601); only in the default stdout output. */
  timestamp?: string
  /** `WARN` for a near-miss or a timeout; only in the default stdout output. */
  level?: Level
  message: string
  requestId: string
  functionName?: string
  functionVersion?: string
  outcome: Outcome
  /** The error's `name` (never its message, which may carry data); on `error` and `timeout`. */
  errorName?: string
  /** The HTTP status of the response, when the response is an HTTP one. */
  statusCode?: number
  coldStart: boolean
  initType?: InitType
  initDurationMs?: number
  /** From the start of the chain (or of our `before` without the plugin) to the end of the invocation. */
  durationMs: number
  /** Remaining time when the invocation started: the configured timeout, less what ran before Middy. */
  budgetMs: number | null
  /** Time left before Lambda's hard deadline when the record was written. */
  remainingMs: number | null
  /** `durationMs / budgetMs`, 0–1 (more if the deadline passed). */
  timeoutUsedShare: number | null
  nearMiss: boolean
  /** The deadline's cutoff (hard deadline minus the reserve) was reached. */
  cutoffReached: boolean
  timingSource: TimingSource
  /** Time in the handler (plugin only). */
  handlerMs?: number
  /** Time in every middleware together (plugin only). */
  middlewareMs?: number
  /** The first phases (at most `RECORD_LIMITS.phases`); the totals above count every one. */
  phases: PhaseTiming[]
  /** Phases left out of `phases`, when there were more. */
  droppedPhases?: number
  /** The last marks (at most `RECORD_LIMITS.marks`). */
  marks: DeadlineMark[]
  /** Marks left out of `marks`, when there were more. */
  droppedMarks?: number
  outbound?: unknown
  /**
   * The process's peak resident memory (what Lambda's REPORT line calls Max Memory Used): the peak
   * is what runs a function out of memory, and reading it (getrusage) costs a fraction of reading
   * the current RSS (/proc). Read at most every 100 ms: a routine record may show the peak as it was up
   * to 100 ms before; errors, timeouts and near-misses read it afresh.
   */
  maxRssMB: number
  memoryLimitMB?: number
  /** `maxRssMB / memoryLimitMB`: close to 1 means little memory, and on Lambda little CPU too. */
  memoryUsedShare?: number
  /** Present when routine records are sampled: each written routine record stands for 1/sampleRate. */
  sampleRate?: number
}

export type RequestFields = { context: object; error?: unknown; response?: unknown }

/** How the invocation went, decided first: sampling needs it before the record is built. */
export interface InvocationEnd {
  endMs: number
  outcome: Outcome
  /** The error the record names: the first one the invocation raised. */
  error: unknown
  /** Unrounded share of the budget used; null when the budget is unknown. */
  share: number | null
  nearMiss: boolean
}

/**
 * `first` is the first error the invocation raised, `final` the one it ends with: an error handler
 * may have replaced the first (with a plain object, for `@middy/http-error-handler`), or wrapped it.
 * `failed`: the chain went through `onError` and nothing answered, even if what was thrown is `undefined`.
 */
export function invocationEndOf(
  first: unknown,
  final: unknown,
  failed: boolean,
  deadline: Deadline,
  earlyResponse: boolean,
  nearMissThreshold: number,
): InvocationEnd {
  const endMs = deadline.elapsed()
  const share = deadline.status === 'running' ? endMs / deadline.budgetMs : null
  const outcome = outcomeOf(first, final, failed, deadline, earlyResponse)
  return { endMs, outcome, error: first ?? final, share, nearMiss: share !== null && share >= nearMissThreshold }
}

/** What a record is built from. */
export interface RecordSources {
  request: RequestFields
  deadline: Deadline
  ending: InvocationEnd
  own: OwnMarks
  cold: ColdStart
  outbound: unknown
  defaultOutput: { timestamp: string; level: Level } | undefined
  sampleRate: number | undefined
}

/**
 * Built once, in the order it is written: the default output serialises this very object, so it
 * is never copied or reshaped (a spread, or deleting the fields that do not apply, would cost more
 * than building it). Fields that do not apply stay `undefined`, which `JSON.stringify` leaves out.
 * `timestamp` and `level` are filled only for the default output: a logger adds its own.
 */
export function buildRecord({ request, deadline, ending, own, cold, outbound, defaultOutput, sampleRate }: RecordSources): TimingRecord {
  const { endMs, outcome, error, nearMiss, share: rawShare } = ending
  // Middy's durable mode hands over a durable context that wraps Lambda's. Read with care: the
  // context, the response and the error are the caller's, and may throw when read.
  const context = readSafely(request.context, 'lambdaContext') ?? request.context
  const { source, phases } = phasesOf(deadline, own, endMs)
  const budgetMs = deadline.status === 'running' ? deadline.budgetMs : null
  const remaining = deadline.remainingToHardDeadline()
  const share = rawShare === null ? null : round(rawShare)
  const memoryLimitMB = positiveNumber(readSafely(context, 'memoryLimitInMB'))
  const maxRss = peakRssMB(nearMiss || outcome === 'error' || outcome === 'timeout')
  const statusCode = readSafely(request.response, 'statusCode')
  const totals = source === 'plugin' ? totalsOf(phases) : undefined
  const marks = recordMarks(deadline.marks, round)
  const droppedPhases = phases.length - RECORD_LIMITS.phases

  return {
    timestamp: defaultOutput?.timestamp,
    level: defaultOutput?.level,
    message: messageOf(outcome, nearMiss, share, budgetMs),
    requestId: deadline.requestId,
    functionName: recordName(readSafely(context, 'functionName')),
    functionVersion: recordName(readSafely(context, 'functionVersion')),
    outcome,
    errorName: outcome === 'error' || outcome === 'timeout' ? errorName(error) : undefined,
    statusCode: typeof statusCode === 'number' ? statusCode : undefined,
    coldStart: cold.coldStart,
    initType: cold.initType,
    initDurationMs: cold.initDurationMs === undefined ? undefined : round(cold.initDurationMs),
    durationMs: round(endMs),
    budgetMs,
    remainingMs: Number.isFinite(remaining) ? round(remaining) : null,
    timeoutUsedShare: share,
    nearMiss,
    cutoffReached: deadline.cutoffReached,
    timingSource: source,
    handlerMs: totals?.handlerMs,
    middlewareMs: totals?.middlewareMs,
    phases: droppedPhases > 0 ? phases.slice(0, RECORD_LIMITS.phases) : phases,
    droppedPhases: droppedPhases > 0 ? droppedPhases : undefined,
    marks: marks.marks,
    droppedMarks: marks.dropped > 0 ? marks.dropped : undefined,
    outbound,
    maxRssMB: round1(maxRss),
    memoryLimitMB,
    memoryUsedShare: memoryLimitMB === undefined ? undefined : round2(maxRss / memoryLimitMB),
    sampleRate,
  }
}

/**
 * `timeout`: an error of the invocation is a timeout (ours, a downstream's, Middy's early timeout,
 * graceful-timeout's settle, all named `TimeoutError`, possibly as a `cause`), or the cutoff came
 * before the chain failed. `early-response`: a middleware answered and the handler never did.
 */
function outcomeOf(first: unknown, final: unknown, failed: boolean, deadline: Deadline, earlyResponse: boolean): Outcome {
  if (failed || first !== undefined || final !== undefined)
    return deadline.cutoffReached || isTimeout(first) || isTimeout(final) ? 'timeout' : 'error'
  return earlyResponse ? 'early-response' : 'success'
}

function isTimeout(error: unknown): boolean {
  for (const link of causeChain(error)) if (link.name === 'TimeoutError') return true
  return false
}

function messageOf(outcome: Outcome, nearMiss: boolean, share: number | null, budgetMs: number | null): string {
  const used = share === null || budgetMs === null ? '' : `: ${Math.round(share * 100)} % of the ${Math.round(budgetMs)} ms budget used`
  if (outcome === 'timeout') return `invocation timed out${used}`
  if (nearMiss) return `near miss${used}`
  return `invocation ${outcome}${used}`
}

function errorName(error: unknown): string {
  return (typeof error === 'object' && recordName(readSafely(error, 'name'))) || typeof error
}

function positiveNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value) : value
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : undefined
}

const round1 = (value: number) => Math.round(value * 10) / 10
const round2 = (value: number) => Math.round(value * 100) / 100
