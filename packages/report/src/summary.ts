import { recommend } from './recommend.js'
import type { FunctionReport, PhaseReport, TargetReport } from './schema.js'
import { type Distribution, distributionOf, type QuantileSketch, roundTo } from './sketch.js'
import type { FunctionStats } from './stats.js'

export interface GroupName {
  functionName: string
  version: string | null
  alias: string | null
}

const SHARE_BIN = 0.05
const SHARE_BINS = 21

/** One function's section of the report, from what was accumulated for it. */
export function summarize(
  name: GroupName,
  stats: FunctionStats,
  settings: { nearMissThreshold: number; timeoutMs: number | undefined },
): FunctionReport {
  const timeout =
    settings.timeoutMs !== undefined
      ? { ms: settings.timeoutMs, source: 'option' as const }
      : stats.lambdaTimeoutMs !== undefined
        ? { ms: stats.lambdaTimeoutMs, source: 'lambda' as const }
        : stats.budgetTimeoutMs !== undefined
          ? { ms: stats.budgetTimeoutMs, source: 'records' as const }
          : { ms: null, source: null }
  const nearMisses = timeout.ms === null ? 0 : Math.round(countAtLeast(stats.completed, settings.nearMissThreshold * timeout.ms))
  const slowFrom = stats.recordBuckets.aboveQuantileBucket(0.9)
  const slowTime = stats.recordTime.from(slowFrom)
  const slowShareOf = (sum: number) => (slowTime > 0 ? roundTo(sum / slowTime, 3) : null)
  const phases: PhaseReport[] = [...stats.phases]
    .map(([phaseName, phase]) => ({
      name: phaseName,
      invocations: Math.round(phase.sketch.count),
      // A phase's sketch holds one value at least: its quantiles are numbers.
      p50: roundTo(phase.sketch.quantile(0.5) as number, 3),
      p99: roundTo(phase.sketch.quantile(0.99) as number, 3),
      max: roundTo(phase.sketch.max, 3),
      totalMs: roundTo(phase.totalMs, 2),
      slowShare: slowShareOf(phase.slow.from(slowFrom)),
    }))
    .sort((a, b) => (b.slowShare ?? 0) - (a.slowShare ?? 0) || b.totalMs - a.totalMs)
  const targets: TargetReport[] = [...stats.targets]
    .map(([target, calls]) => {
      const distribution = distributionOf(calls.sketch)
      return {
        target,
        kind: calls.kind ?? null,
        calls: Math.round(calls.sketch.count),
        p50: distribution?.p50 ?? null,
        p90: distribution?.p90 ?? null,
        p99: distribution?.p99 ?? null,
        max: distribution?.max ?? null,
        outcomes: whole(calls.outcomes),
        pendingAtCutoff: calls.pendingAtCutoff,
        slowShare: slowShareOf(calls.slow.from(slowFrom)),
      }
    })
    .sort((a, b) => (b.p99 ?? -1) - (a.p99 ?? -1) || b.pendingAtCutoff - a.pendingAtCutoff)
  const outboundSlow = stats.outboundTime.from(slowFrom)
  const cpuShare = slowTime > 0 && stats.callsStarted > 0 ? roundTo(Math.max(0, 1 - outboundSlow / slowTime), 3) : null
  const duration = distributionOf(stats.durations)
  const memoryUsed = distributionOf(stats.memoryUsed, 1)
  const settle = distributionOf(stats.settle)
  const perRecord = distributionOf(stats.perRecord, 3)

  return {
    function: name.functionName,
    version: name.version,
    alias: name.alias,
    timeout,
    invocations: Math.round(stats.invocations),
    outcomes: whole(stats.outcomes),
    sampling:
      stats.sampledRecords === 0
        ? null
        : { records: stats.sampledRecords, rates: [...stats.sampleRates].sort((a, b) => a - b), invocationsInLogs: stats.seen },
    hardKillsSeenOnlyByLambda: stats.unseenKills,
    killedAfterCutoff: stats.settledTooLate,
    blockedAtCutoff: stats.blockedAtCutoff,
    nearMisses,
    duration: duration === null ? null : { ...duration, source: { ...stats.durationSources } },
    timeoutShare: timeout.ms === null || duration === null ? null : scaled(duration, 1 / timeout.ms),
    coldStarts: { count: stats.coldStarts, init: distributionOf(stats.init) },
    memory: {
      configuredMB: stats.memorySizeMB ?? null,
      used: memoryUsed,
      peakShare: memoryUsed === null || stats.memorySizeMB === undefined ? null : roundTo(memoryUsed.max / stats.memorySizeMB, 3),
    },
    settle: settle === null ? null : { ...settle, reserveMs: stats.reserveMs ?? null },
    phases,
    outbound: { calls: Math.round(stats.callsStarted), callsSeen: Math.round(stats.callsSeen), targets },
    batch: perRecord === null ? null : { maxBatchSize: stats.maxBatchSize, perRecord },
    recommendations: recommend(stats, { timeoutMs: timeout.ms, nearMisses, cpuShare, targets }),
    charts: {
      timeoutShare: timeout.ms === null ? null : shareHistogram(stats.durations, timeout.ms),
      durations: stats.series.build(),
      slowest: stats.slowest.map((slow) => ({ ...slow, durationMs: roundTo(slow.durationMs, 2) })),
    },
  }
}

/** Counts that sampled records scaled up are estimates: whole numbers. */
function whole<T extends Record<string, number>>(counts: T): T {
  return Object.fromEntries(Object.entries(counts).map(([key, n]) => [key, Math.round(n)])) as T
}

function countAtLeast(sketch: QuantileSketch, threshold: number): number {
  let count = 0
  sketch.forEach((value, n) => {
    if (value >= threshold) count += n
  })
  return count
}

function shareHistogram(sketch: QuantileSketch, timeoutMs: number): { binWidth: number; counts: number[] } {
  const counts = new Array<number>(SHARE_BINS).fill(0)
  sketch.forEach((value, n) => {
    const bin = Math.min(SHARE_BINS - 1, Math.floor(value / timeoutMs / SHARE_BIN + 1e-9))
    counts[bin] = (counts[bin] as number) + n
  })
  return { binWidth: SHARE_BIN, counts }
}

function scaled(distribution: Distribution, factor: number): Distribution {
  const at = (value: number) => roundTo(value * factor, 3)
  return {
    ...distribution,
    p50: at(distribution.p50),
    p90: at(distribution.p90),
    p99: at(distribution.p99),
    max: at(distribution.max),
    mean: at(distribution.mean),
  }
}
