import { BucketCounts, BucketSums, bucketOf } from './buckets.js'
import type { OutboundCallFact, TimingFacts } from './classify.js'
import type { Invocation } from './invocations.js'
import { SeriesBuilder } from './series.js'
import { QuantileSketch } from './sketch.js'
import type { Outcome, Verdict } from './verdict.js'

/** Phases and targets kept per function; past these, the rest is summed under `(other)`. */
const MAX_NAMES = 100
const SLOWEST_KEPT = 10
/** Distinct sample rates kept per function (one per deployment, usually). */
const MAX_RATES = 10
export const OTHER = '(other)'

export interface PhaseStats {
  sketch: QuantileSketch
  totalMs: number
  slow: BucketSums
}

export interface TargetStats {
  kind: string | undefined
  sketch: QuantileSketch
  outcomes: Record<string, number>
  /** Still running at graceful-timeout's cutoff. */
  pendingAtCutoff: number
  slow: BucketSums
}

export interface SlowInvocation {
  requestId: string
  durationMs: number
  outcome: Outcome
  phases: { name: string; durationMs: number }[]
}

/** Everything accumulated for one function (and version, and alias), in bounded memory. */
export class FunctionStats {
  /** Invocations, sampled records counted for what they stand for: an estimate when sampled. */
  invocations = 0
  /** Invocations in the logs. */
  seen = 0
  readonly outcomes: Record<Outcome, number> = { success: 0, error: 0, gracefulTimeout: 0, hardKill: 0, unknown: 0 }
  unseenKills = 0
  settledTooLate = 0
  blockedAtCutoff = 0
  readonly durations = new QuantileSketch()
  /** Invocations that ended on their own (success or error): what a timeout must cover. */
  readonly completed = new QuantileSketch()
  durationSources = { lambda: 0, record: 0 }
  coldStarts = 0
  readonly init = new QuantileSketch()
  readonly memoryUsed = new QuantileSketch()
  memorySizeMB: number | undefined
  lambdaTimeoutMs: number | undefined
  budgetTimeoutMs: number | undefined
  readonly settle = new QuantileSketch()
  reserveMs: number | undefined
  readonly phases = new Map<string, PhaseStats>()
  readonly targets = new Map<string, TargetStats>()
  /** Timing-record invocations by duration bucket: the slow set, and the time they spent. */
  readonly recordBuckets = new BucketCounts()
  readonly recordTime = new BucketSums()
  readonly outboundTime = new BucketSums()
  callsSeen = 0
  callsStarted = 0
  readonly perRecord = new QuantileSketch()
  maxBatchSize = 0
  readonly series = new SeriesBuilder()
  readonly slowest: SlowInvocation[] = []
  /** Routine records written at a sample rate, each standing for 1 / rate invocations. */
  sampledRecords = 0
  readonly sampleRates = new Set<number>()

  add(invocation: Invocation, verdict: Verdict): void {
    const { weight, recordWeight } = verdict
    this.invocations += weight
    this.seen++
    this.outcomes[verdict.outcome] += weight
    if (verdict.unseenKill) this.unseenKills++
    if (verdict.settledTooLate) this.settledTooLate++
    if (verdict.blockedAtCutoff) this.blockedAtCutoff++
    if (verdict.durationMs !== undefined) {
      this.durations.add(verdict.durationMs, weight)
      if (verdict.outcome === 'success' || verdict.outcome === 'error') this.completed.add(verdict.durationMs, weight)
      if (verdict.durationSource !== undefined) this.durationSources[verdict.durationSource]++
      this.series.add(invocation.timestamp, invocation.sequence, verdict.durationMs, verdict.outcome)
    }
    if (verdict.coldStart) this.coldStarts++
    if (verdict.initDurationMs !== undefined && verdict.coldStart) this.init.add(verdict.initDurationMs)
    if (verdict.memoryUsedMB !== undefined) this.memoryUsed.add(verdict.memoryUsedMB, weight)
    this.memorySizeMB = maxOf(this.memorySizeMB, verdict.memorySizeMB)
    this.lambdaTimeoutMs = maxOf(this.lambdaTimeoutMs, verdict.lambdaTimeoutMs)
    this.budgetTimeoutMs = maxOf(this.budgetTimeoutMs, verdict.budgetTimeoutMs)
    if (verdict.settleMs !== undefined) this.settle.add(verdict.settleMs)
    this.reserveMs = maxOf(this.reserveMs, verdict.reserveMs)
    for (const record of invocation.timeouts) for (const call of record.pending) this.#target(call).pendingAtCutoff++
    if (invocation.timing !== undefined) this.#addTiming(invocation.requestId, invocation.timing, verdict.outcome, recordWeight)
  }

  /** `weight`: how many invocations the record stands for (more than one when sampled). */
  #addTiming(requestId: string, timing: TimingFacts, outcome: Outcome, weight: number): void {
    if (timing.sampled) {
      this.sampledRecords++
      if (this.sampleRates.size < MAX_RATES) this.sampleRates.add(timing.sampleRate as number)
    }
    const bucket = bucketOf(timing.durationMs)
    this.recordBuckets.add(bucket, weight)
    this.recordTime.add(bucket, timing.durationMs * weight)
    if (timing.outboundTotalMs !== undefined) this.outboundTime.add(bucket, Math.min(timing.outboundTotalMs, timing.durationMs) * weight)
    const perPhase = new Map<string, number>()
    for (const phase of timing.phases) perPhase.set(phase.name, (perPhase.get(phase.name) ?? 0) + phase.durationMs)
    for (const [name, ms] of perPhase) {
      const stats = this.#phase(name)
      stats.sketch.add(ms, weight)
      stats.totalMs += ms * weight
      stats.slow.add(bucket, ms * weight)
    }
    for (const call of timing.calls) {
      const stats = this.#target(call)
      stats.sketch.add(call.durationMs, weight)
      stats.outcomes[call.outcome] = (stats.outcomes[call.outcome] ?? 0) + weight
      stats.slow.add(bucket, call.durationMs * weight)
    }
    this.callsSeen += timing.calls.length * weight
    this.callsStarted += Math.max(timing.callsStarted ?? timing.calls.length, timing.calls.length) * weight
    if (timing.batchSize !== undefined && timing.batchSize >= 1 && outcome === 'success') {
      this.perRecord.add(timing.durationMs / timing.batchSize, weight)
      this.maxBatchSize = Math.max(this.maxBatchSize, timing.batchSize)
    }
    this.#keepIfSlow({ requestId, durationMs: timing.durationMs, outcome, phases: timing.phases.slice(0, 50) })
  }

  #keepIfSlow(invocation: SlowInvocation): void {
    const slowest = this.slowest
    if (slowest.length === SLOWEST_KEPT && (slowest[slowest.length - 1] as SlowInvocation).durationMs >= invocation.durationMs) return
    slowest.push(invocation)
    slowest.sort((a, b) => b.durationMs - a.durationMs)
    if (slowest.length > SLOWEST_KEPT) slowest.pop()
  }

  #phase(name: string): PhaseStats {
    const key = this.phases.has(name) || this.phases.size < MAX_NAMES ? name : OTHER
    let stats = this.phases.get(key)
    if (stats === undefined) {
      stats = { sketch: new QuantileSketch(), totalMs: 0, slow: new BucketSums() }
      this.phases.set(key, stats)
    }
    return stats
  }

  #target(call: OutboundCallFact): TargetStats {
    const key = this.targets.has(call.target) || this.targets.size < MAX_NAMES ? call.target : OTHER
    let stats = this.targets.get(key)
    if (stats === undefined) {
      stats = { kind: call.kind, sketch: new QuantileSketch(), outcomes: {}, pendingAtCutoff: 0, slow: new BucketSums() }
      this.targets.set(key, stats)
    }
    return stats
  }
}

function maxOf(current: number | undefined, value: number | undefined): number | undefined {
  if (value === undefined) return current
  return current === undefined || value > current ? value : current
}
