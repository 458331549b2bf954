import type { Confidence, Level, Recommendation, RecommendationKind, TargetReport } from './schema.js'
import { roundTo } from './sketch.js'
import type { FunctionStats } from './stats.js'

/** What the recommendations need besides the raw stats, worked out once by the summary. */
export interface Context {
  timeoutMs: number | null
  nearMisses: number
  /** Share of the slow invocations' time not spent waiting on outbound calls (null: unknown). */
  cpuShare: number | null
  targets: TargetReport[]
}

// Headroom factors, documented in docs/report.md: a p99 is a sample statistic, and next week's
// traffic is not this week's.
const TIMEOUT_HEADROOM = 1.5
const RESERVE_HEADROOM = 1.5
const LIMIT_HEADROOM = 1.5
const BATCH_HEADROOM = 0.8
/** Lambda gives a function one full vCPU at 1,769 MB; below it, CPU time scales with memory. */
const ONE_VCPU_MB = 1769
const MAX_TIMEOUT_MS = 900_000

export function recommend(stats: FunctionStats, context: Context): Recommendation[] {
  return [
    timeoutAdvice(stats, context),
    reserveAdvice(stats),
    ...context.targets.slice(0, 10).flatMap((target) => limitAdvice(target, stats, context)),
    memoryAdvice(stats, context),
    batchAdvice(stats, context),
  ].filter((advice): advice is Recommendation => advice !== undefined)
}

function timeoutAdvice(stats: FunctionStats, { timeoutMs, nearMisses }: Context): Recommendation | undefined {
  const timeouts = stats.outcomes.gracefulTimeout + stats.outcomes.hardKill
  const p99 = stats.completed.quantile(0.99)
  const reserve = stats.reserveMs ?? 0
  const evidence = {
    completed: Math.round(stats.completed.count),
    completedP99Ms: round(p99),
    timeouts,
    nearMisses,
    currentMs: timeoutMs,
    reserveMs: reserve,
  }
  const say = adviser('timeout', timeoutMs, evidence, quantileConfidence(stats.completed.samples, 'completed invocations'))
  if (p99 === undefined)
    return timeouts === 0
      ? undefined
      : say('investigate', null, `all ${timeouts} invocations timed out: nothing completed to size a timeout from`)
  const suggested = Math.min(MAX_TIMEOUT_MS, Math.max(1000, ceilTo(p99 * TIMEOUT_HEADROOM + reserve, 1000)))
  if (timeoutMs === null)
    return say(
      'set',
      suggested,
      `p99 of completed invocations is ${ms(p99)}: set the timeout to ${seconds(suggested)} (p99 × ${TIMEOUT_HEADROOM} + reserve)`,
    )
  const used = pct(p99 / timeoutMs)
  if (timeouts > 0 && p99 >= 0.7 * timeoutMs) {
    const value = Math.min(MAX_TIMEOUT_MS, Math.max(suggested, timeoutMs + 1000))
    return say(
      'raise',
      value,
      `${timeouts} timed out and completed invocations reach ${used} of the timeout at p99: the timeouts are the tail of the same work; raise to ${seconds(value)}`,
    )
  }
  if (timeouts > 0)
    return say(
      'keep',
      null,
      `${timeouts} timed out, but completed invocations need only ${ms(p99)} at p99 (${used} of the timeout): those are hangs, not slow work; a longer timeout only waits longer. Bound the calls instead (per-request limits)`,
    )
  if (p99 >= 0.8 * timeoutMs)
    return say(
      'raise',
      suggested,
      `no timeouts yet, but p99 is ${used} of the timeout (${nearMisses} near-misses): raise to ${seconds(suggested)}`,
    )
  if (suggested <= timeoutMs / 2)
    return say(
      'lower',
      suggested,
      `p99 is ${ms(p99)}, ${used} of the timeout: ${seconds(suggested)} still leaves ${TIMEOUT_HEADROOM}× headroom and stops a hung invocation (and its bill) sooner`,
    )
  return say('keep', null, `p99 is ${ms(p99)}, ${used} of the timeout: it fits with room`)
}

function reserveAdvice(stats: FunctionStats): Recommendation | undefined {
  const current = stats.reserveMs ?? null
  const p99 = stats.settle.quantile(0.99)
  const evidence = {
    settled: stats.settle.count,
    settleP99Ms: round(p99),
    settleMaxMs: round(stats.settle.count > 0 ? stats.settle.max : undefined),
    killedAfterCutoff: stats.settledTooLate,
    blockedAtCutoff: stats.blockedAtCutoff,
    currentMs: current,
  }
  const say = adviser(
    'reserve',
    current,
    evidence,
    countConfidence(stats.settle.count + stats.settledTooLate, 10, 100, 'graceful timeouts'),
  )
  if (p99 === undefined && stats.settledTooLate === 0) {
    if (stats.blockedAtCutoff === 0) return undefined
    return say(
      'investigate',
      null,
      `${stats.blockedAtCutoff} invocations had their event loop blocked at the cutoff (the watchdog wrote the record): no reserve helps a blocked loop; move the CPU-bound work off the main thread or break it up`,
      countConfidence(stats.blockedAtCutoff, 1, 10, 'blocked cutoffs'),
    )
  }
  const settled = p99 ?? 0
  const suggested = Math.max(100, ceilTo(Math.max(settled * RESERVE_HEADROOM, settled + 50), 50))
  if (stats.settledTooLate > 0) {
    const value = Math.max(suggested, (current ?? 0) * 2)
    return say(
      'raise',
      value,
      `${stats.settledTooLate} invocations reached the cutoff and were still killed: the hooks and settling took longer than the reserve; raise it to ${value} ms`,
    )
  }
  if (current !== null && current > 2 * suggested)
    return say(
      'lower',
      suggested,
      `settling after the cutoff took ${ms(settled)} at p99: a ${current} ms reserve gives away ${current - suggested} ms of every invocation; ${suggested} ms covers it ${RESERVE_HEADROOM}×`,
    )
  return say('keep', null, `settling after the cutoff took ${ms(settled)} at p99, within the ${current ?? '?'} ms reserve`)
}

function limitAdvice(target: TargetReport, stats: FunctionStats, { timeoutMs }: Context): Recommendation[] {
  if (target.p99 === null) return []
  const budget = timeoutMs === null ? null : timeoutMs - (stats.reserveMs ?? 0)
  const suggested = Math.max(50, ceilTo(target.p99 * LIMIT_HEADROOM, 50))
  const value = budget === null ? suggested : Math.min(suggested, Math.max(50, Math.floor(budget / 2 / 50) * 50))
  const sampled = stats.callsStarted > stats.callsSeen
  const evidence = {
    calls: target.calls,
    p99Ms: target.p99,
    maxMs: target.max,
    timeouts: target.outcomes.timeout ?? 0,
    pendingAtCutoff: target.pendingAtCutoff,
    slowShare: target.slowShare,
    budgetMs: budget,
  }
  const why =
    budget !== null && value < suggested
      ? `its p99 (${ms(target.p99)}) × ${LIMIT_HEADROOM} does not fit in half the invocation's budget (${ms(budget)}): with ${value} ms the slowest calls will fail fast; if they must succeed, move this call to a queue`
      : `p99 ${ms(target.p99)} × ${LIMIT_HEADROOM}`
  const pending = target.pendingAtCutoff > 0 ? `; ${target.pendingAtCutoff} calls were still running at a cutoff` : ''
  const confidence = quantileConfidence(
    target.calls,
    sampled ? 'calls (only each invocation’s slowest 3 are logged: p99 leans high)' : 'calls',
  )
  const say = adviser('per-request-limit', null, evidence, confidence)
  return [{ ...say('set', value, `${target.target}: limit each request to ${value} ms (${why})${pending}`), target: target.target }]
}

function memoryAdvice(stats: FunctionStats, { timeoutMs, nearMisses, cpuShare }: Context): Recommendation | undefined {
  const size = stats.memorySizeMB ?? null
  if (stats.memoryUsed.count === 0 || size === null) return undefined
  const peak = stats.memoryUsed.max
  const share = peak / size
  const p99Duration = stats.durations.quantile(0.99)
  const pressed =
    stats.outcomes.gracefulTimeout + stats.outcomes.hardKill > 0 ||
    nearMisses > 0 ||
    (timeoutMs !== null && p99Duration !== undefined && p99Duration >= 0.5 * timeoutMs)
  // Direct evidence of CPU-bound work: the watchdog found the event loop blocked at a cutoff.
  const blocked = stats.blockedAtCutoff > 0
  // Indirect: slow invocations' time is mostly outside the outbound calls we track. That is CPU
  // work, or waiting on something we do not see (a driver not wrapped in withDeadline).
  const untracked = cpuShare !== null && cpuShare >= 0.8 && pressed
  const evidence = {
    peakMB: round(peak),
    configuredMB: size,
    peakShare: roundTo(share, 2),
    untrackedShareOfSlowInvocations: cpuShare,
    blockedAtCutoff: stats.blockedAtCutoff,
  }
  const confidence = countConfidence(stats.memoryUsed.samples, 20, 200, 'invocations with a memory reading')
  const say = adviser('memory', size, evidence, confidence)
  if (share >= 0.9) {
    const value = nextSize(peak / 0.7)
    return say('raise', value, `peak memory ${round(peak)} MB is ${pct(share)} of ${size} MB: raise to ${value} MB before it runs out`)
  }
  if (blocked && size < ONE_VCPU_MB)
    return say(
      'raise',
      ONE_VCPU_MB,
      `the event loop was blocked at ${stats.blockedAtCutoff} cutoffs (the watchdog wrote the record): CPU-bound work; Lambda scales CPU with memory (a full vCPU at ${ONE_VCPU_MB} MB), so more memory makes it faster`,
      countConfidence(stats.blockedAtCutoff, 3, 30, 'blocked cutoffs'),
    )
  if (untracked && size < ONE_VCPU_MB)
    return say(
      'investigate',
      null,
      `slow invocations spend ${pct(cpuShare)} of their time outside the outbound calls we track: if that is computation, more memory (more CPU, a full vCPU at ${ONE_VCPU_MB} MB) makes them faster; if it is waiting on calls we do not see, wrap those with withDeadline to find out`,
      { ...confidence, level: 'low' },
    )
  if (share <= 0.25 && !blocked && !untracked && size > 128) {
    // Twice a peak of at most a quarter of the size, rounded up to a size people pick: always smaller.
    const value = nextSize(peak / 0.5)
    return say(
      'lower',
      value,
      `peak memory is ${pct(share)} of ${size} MB: ${value} MB would hold it twice over, but CPU shrinks with memory: confirm with Lambda Power Tuning before lowering`,
      { ...confidence, level: 'low' },
    )
  }
  return say('keep', null, `peak memory ${round(peak)} MB of ${size} MB (${pct(share)})`)
}

function batchAdvice(stats: FunctionStats, { timeoutMs }: Context): Recommendation | undefined {
  const p99 = stats.perRecord.quantile(0.99)
  if (p99 === undefined || p99 <= 0 || timeoutMs === null) return undefined
  const budget = timeoutMs - (stats.reserveMs ?? 0)
  const fit = Math.max(1, Math.floor((budget * BATCH_HEADROOM) / p99))
  const evidence = {
    perRecordP99Ms: round(p99),
    budgetMs: budget,
    observedMaxBatch: stats.maxBatchSize,
    invocations: Math.round(stats.perRecord.count),
  }
  const say = adviser('batch-size', stats.maxBatchSize, evidence, quantileConfidence(stats.perRecord.samples, 'batches'))
  return say(
    fit < stats.maxBatchSize ? 'lower' : 'set',
    fit,
    `a record takes ${ms(p99)} at p99: ${fit} records fit in ${BATCH_HEADROOM * 100} % of the ${ms(budget)} budget (batches of up to ${stats.maxBatchSize} seen)`,
  )
}

const UNITS = { timeout: 'ms', reserve: 'ms', 'per-request-limit': 'ms', memory: 'MB', 'batch-size': 'records' } as const

/**
 * The recommendations of one kind share what they rest on (the current setting, the evidence, the
 * confidence): `say(action, value, message)` gives one of them, in the kind's unit.
 */
function adviser(kind: RecommendationKind, current: number | null, evidence: Recommendation['evidence'], confidence: Confidence) {
  return (action: Recommendation['action'], value: number | null, message: string, sure = confidence): Recommendation => ({
    kind,
    action,
    value,
    unit: value === null ? null : UNITS[kind],
    current,
    message,
    evidence,
    confidence: sure,
  })
}

/** A p99 from fewer than 100 values is the maximum of a handful; from 1,000 it is stable. */
function quantileConfidence(n: number, what: string): Confidence {
  return countConfidence(n, 100, 1000, what)
}

function countConfidence(n: number, medium: number, high: number, what: string): Confidence {
  const level: Level = n >= high ? 'high' : n >= medium ? 'medium' : 'low'
  return { level, basis: n, why: `${n} ${what}; medium from ${medium}, high from ${high}` }
}

/** Sizes people pick (Lambda takes any MB from 128 to 10,240). */
const SIZES = [128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008, 4096, 6144, 8192, 10240]
const nextSize = (mb: number) => SIZES.find((size) => size >= mb) ?? 10240
const ceilTo = (value: number, step: number) => Math.ceil(value / step) * step
const round = (value: number | undefined) => (value === undefined ? null : roundTo(value, 2))
const ms = (value: number) => (value >= 10_000 ? `${roundTo(value / 1000, 1)} s` : `${Math.round(value)} ms`)
const seconds = (value: number) => `${roundTo(value / 1000, 1)} s`
const pct = (share: number) => `${Math.round(share * 100)} %`
