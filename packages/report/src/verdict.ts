import type { Invocation } from './invocations.js'

export type Outcome = 'success' | 'error' | 'gracefulTimeout' | 'hardKill' | 'unknown'

/** What one invocation amounts to, from everything joined for it. */
export interface Verdict {
  outcome: Outcome
  /** Hard kill with no record of ours: only Lambda's lines saw it. */
  unseenKill: boolean
  /** Lambda's Duration when there is one (what the timeout is measured against), else our record's. */
  durationMs: number | undefined
  durationSource: 'lambda' | 'record' | undefined
  coldStart: boolean
  initDurationMs: number | undefined
  memoryUsedMB: number | undefined
  memorySizeMB: number | undefined
  /** The configured timeout as Lambda's own lines state it (a kill), in whole seconds. */
  lambdaTimeoutMs: number | undefined
  /** The configured timeout as our records suggest it (the budget at the start, rounded up to a second). */
  budgetTimeoutMs: number | undefined
  /** Time from graceful-timeout's cutoff to the end of the invocation, when both records are there. */
  settleMs: number | undefined
  reserveMs: number | undefined
  /** graceful-timeout wrote its record at the cutoff and Lambda killed the invocation anyway. */
  settledTooLate: boolean
  /** The watchdog thread wrote the record: the event loop was blocked at the cutoff. */
  blockedAtCutoff: boolean
  /**
   * How many invocations this one stands for in the counts: 1 / sampleRate for a routine record
   * written at a sample rate when nothing else shows the invocation (Lambda's START and REPORT,
   * never sampled, show every invocation when they are in the logs), else 1.
   */
  weight: number
  /** How many invocations its timing record stands for among the records (phases, downstreams). */
  recordWeight: number
}

const SECOND = 1000

export function verdictOf(invocation: Invocation): Verdict {
  const { report, timing, timeouts } = invocation
  const killed = report?.status === 'timeout' || invocation.killedAfterMs !== undefined || invocation.runtimeDoneStatus === 'timeout'
  const main = timeouts.find((record) => record.source !== 'watchdog')
  const watchdog = timeouts.some((record) => record.source === 'watchdog')
  const outcome: Outcome = killed
    ? 'hardKill'
    : timing?.outcome === 'timeout' || main !== undefined
      ? 'gracefulTimeout'
      : timing?.outcome === 'error' || isFailure(report?.status) || report?.errorType !== undefined
        ? 'error'
        : timing !== undefined || report !== undefined
          ? 'success'
          : 'unknown'

  const lambdaDuration = report?.durationMs ?? (killed ? invocation.killedAfterMs : undefined)
  const durationMs = lambdaDuration ?? timing?.durationMs
  const killedAt = invocation.killedAfterMs ?? (report?.status === 'timeout' ? report.durationMs : undefined)
  const budget = timing?.budgetMs ?? main?.budgetMs ?? timeouts[0]?.budgetMs
  const initDurationMs = report?.initDurationMs ?? timing?.initDurationMs
  const recordWeight = timing?.sampled === true ? 1 / (timing.sampleRate as number) : 1
  return {
    outcome,
    unseenKill: killed && timeouts.length === 0,
    durationMs,
    durationSource: lambdaDuration !== undefined ? 'lambda' : timing !== undefined ? 'record' : undefined,
    coldStart: report?.initDurationMs !== undefined || timing?.coldStart === true,
    initDurationMs,
    memoryUsedMB: report?.maxMemoryUsedMB ?? timing?.maxRssMB,
    // A size of 0 (a line cut or made up) is no size: shares of it would be infinite.
    memorySizeMB: [report?.memorySizeMB, timing?.memoryLimitMB].find((mb) => mb !== undefined && mb > 0),
    // Lambda's timeout is set in whole seconds; its kill line and REPORT print a little more.
    lambdaTimeoutMs: killedAt === undefined ? undefined : Math.max(SECOND, Math.floor(killedAt / SECOND + 0.001) * SECOND),
    // The budget is what was left when the chain started: a little less than the setting.
    budgetTimeoutMs: budget === undefined || budget <= 0 ? undefined : Math.ceil(budget / SECOND - 0.001) * SECOND,
    settleMs:
      main?.elapsedMs !== undefined && timing !== undefined && !killed ? Math.max(0, timing.durationMs - main.elapsedMs) : undefined,
    reserveMs: main?.reserveMs ?? timeouts[0]?.reserveMs,
    settledTooLate: killed && main !== undefined,
    blockedAtCutoff: watchdog,
    weight: report === undefined && !invocation.started ? recordWeight : 1,
    recordWeight,
  }
}

const isFailure = (status: string | undefined) => status === 'error' || status === 'failure'
