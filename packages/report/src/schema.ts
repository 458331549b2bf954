import type { DurationSeries } from './series.js'
import type { Distribution } from './sketch.js'

/**
 * The report as `--format json` prints it. The schema is versioned: fields are only ever added
 * within a version; a field removed or changing meaning bumps `schema`. docs/report.md documents
 * every field.
 */
export const SCHEMA = 'middy-deadline-report/1'

export interface Report {
  schema: typeof SCHEMA
  generatedAt: string
  input: InputSummary
  settings: { nearMissThreshold: number; timeoutMs: number | null; functionName: string | null }
  functions: FunctionReport[]
  /** Warnings our packages logged (warnOnce), by package and message, most frequent first. */
  warnings: { package: string; message: string; count: number }[]
}

export interface InputSummary {
  lines: number
  /** Log events after taking off what aws logs tail / filter-log-events put around them. */
  events: number
  firstTimestamp: string | null
  lastTimestamp: string | null
  recognised: {
    timingRecords: number
    timeoutRecords: number
    watchdogRecords: number
    warnings: number
    emf: number
    start: number
    end: number
    report: number
    timedOutLines: number
    otherPlatform: number
    /** Timing and timeout records cut by the line bound (`truncated: true`): read for what they kept. */
    truncatedRecords: number
    /** Timing and timeout records that left out phases, marks or pending calls past their limits. */
    partialRecords: number
  }
  /** Lines of the function's own (plain text): read past, not a problem. */
  otherLines: number
  /** Skipped and counted, never a crash. */
  skipped: {
    malformed: number
    foreignJson: number
    truncated: number
    /** Records of ours cut by the line bound past the fields that say what they are. */
    truncatedRecords: number
    tooLong: number
    containerLines: number
    lateLines: number
  }
  invocations: number
  /** Closed before their REPORT came because too many were open at once (`maxOpenInvocations`). */
  evictedInvocations: number
}

export type Level = 'low' | 'medium' | 'high'

export interface Confidence {
  level: Level
  /** How many observations it rests on (invocations, calls). */
  basis: number
  why: string
}

export type RecommendationKind = 'timeout' | 'reserve' | 'per-request-limit' | 'memory' | 'batch-size'

export interface Recommendation {
  kind: RecommendationKind
  action: 'raise' | 'lower' | 'keep' | 'set' | 'investigate'
  /** The value to set, in `unit`; null when the advice is to keep or to investigate. */
  value: number | null
  unit: 'ms' | 'MB' | 'records' | null
  /** The downstream, for per-request limits. */
  target?: string
  current: number | null
  message: string
  /** The numbers it rests on. */
  evidence: Record<string, number | string | null>
  confidence: Confidence
}

export interface PhaseReport {
  name: string
  invocations: number
  p50: number
  p99: number
  max: number
  totalMs: number
  /** Share of the slow invocations' time (top 10 % by duration) spent in this phase, 0–1. */
  slowShare: number | null
}

export interface TargetReport {
  target: string
  kind: string | null
  calls: number
  p50: number | null
  p90: number | null
  p99: number | null
  max: number | null
  outcomes: Record<string, number>
  pendingAtCutoff: number
  /** Time in calls to it during the slow invocations, over those invocations' time (calls may overlap). */
  slowShare: number | null
}

export interface FunctionReport {
  function: string
  version: string | null
  alias: string | null
  timeout: { ms: number | null; source: 'option' | 'lambda' | 'records' | null }
  /** Invocations: an estimate when sampled records stand for more than one (see `sampling`). */
  invocations: number
  outcomes: { success: number; error: number; gracefulTimeout: number; hardKill: number; unknown: number }
  /**
   * Present when timing-logger sampled routine records (`sampleRate`): each such record counts as
   * 1 / rate invocations in every figure from the records; in the invocation counts too, unless
   * Lambda's own lines (never sampled) show the invocation. Counts are then estimates.
   */
  sampling: { records: number; rates: number[]; invocationsInLogs: number } | null
  /** Hard kills with no record of ours: only Lambda's own lines show them. */
  hardKillsSeenOnlyByLambda: number
  /** Hard kills after graceful-timeout's cutoff record: the reserve did not cover the settling. */
  killedAfterCutoff: number
  /** Cutoff records written by the watchdog thread: the event loop was blocked. */
  blockedAtCutoff: number
  nearMisses: number
  duration: (Distribution & { source: { lambda: number; record: number } }) | null
  timeoutShare: Distribution | null
  coldStarts: { count: number; init: Distribution | null }
  memory: { configuredMB: number | null; used: Distribution | null; peakShare: number | null }
  settle: (Distribution & { reserveMs: number | null }) | null
  phases: PhaseReport[]
  outbound: { calls: number; callsSeen: number; targets: TargetReport[] }
  batch: { maxBatchSize: number; perRecord: Distribution | null } | null
  recommendations: Recommendation[]
  charts: {
    /** Invocations by share of the timeout used: 5 % bins from 0, the last one for 100 % and over. */
    timeoutShare: { binWidth: number; counts: number[] } | null
    durations: DurationSeries
    /** The slowest invocations with timing records, slowest first, with their phases. */
    slowest: { requestId: string; durationMs: number; outcome: string; phases: { name: string; durationMs: number }[] }[]
  }
}
