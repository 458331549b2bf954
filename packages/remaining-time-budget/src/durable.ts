import type { DurableContext, StepConfig, StepFunc } from '@aws/durable-execution-sdk-js'
import {
  callGuarded,
  checkArgument,
  checkOptions,
  currentDeadline,
  fn,
  integer,
  ms,
  number,
  object,
  readSafely,
  required,
  text,
  warnOnce,
  withMethods,
} from '@middy-deadline/deadline/internal'

// Written out, not imported from ./options.js: an import shared with the main entry would make the
// build split it into a chunk that every user of the main entry loads as a module of its own
// (bench/import-profile.mjs, docs/performance.md, "Speed tricks"). The runner's largest safety factor, likewise.
const PACKAGE = '@middy-deadline/remaining-time-budget'
const MAX_SAFETY_FACTOR = 100

/**
 * Budget checks for Lambda durable functions (`@aws/durable-execution-sdk-js`).
 *
 * A durable execution may last a year, but each invocation still has the function's timeout
 * (at most 15 minutes), and a step runs inside one invocation. A step that starts with less time
 * left than it needs is killed with the invocation and runs again in the next one: its work is
 * done twice. `stepWithinBudget` starts the step only if it fits in what is left of this
 * invocation; otherwise the execution yields (a short durable `wait`, which ends this invocation)
 * and the step runs once, in the next invocation, with a fresh timeout.
 *
 * Only types come from the SDK: nothing here loads it, so it stays an optional peer.
 */
export interface StepBudget<T> {
  /** How long the step is expected to take (ms). */
  expectedMs: number
  /** The step starts only if `expectedMs × safetyFactor` fits. */
  safetyFactor: number
  /**
   * Milliseconds the invocation needs after the step (checkpointing its result, the SDK's own
   * polling margin). Not used when a shared deadline exists: its cutoff already has a reserve.
   */
  reserveMs: number
  /**
   * Shortest yielding wait (whole seconds, as durable waits count). The wait lasts at least until
   * this invocation would have ended anyway, see `stepWithinBudget`.
   */
  minYieldSeconds: number
  /** Passed on to `context.step` (retry strategy, semantics, serdes). */
  step: StepConfig<T> | undefined
}

/** What the budget check decided for one step, checkpointed so that replays decide the same. */
export interface StepBudgetDecision {
  decision: 'run' | 'yield'
  /** Time left before the cutoff when the check ran (ms); null when unknown. */
  remainingMs: number | null
  needMs: number
  /** Length of the yielding wait (0 when the step runs now). */
  waitSeconds: number
}

// Checked on every call: a step's budget belongs to that step. A yield longer than Lambda's 15
// minutes is no longer a yield to the next invocation but a pause of the execution.
const OPTIONS = {
  expectedMs: ms(undefined, true),
  safetyFactor: number(1.05, 1, MAX_SAFETY_FACTOR),
  reserveMs: ms(1000),
  minYieldSeconds: integer(1, 1, 900),
  step: object<StepConfig<unknown>>(),
}
const DEFAULT_RESERVE_MS = 1000
// The name becomes our operations' names too (`<name>:budget`, `<name>:yield`): any real one is short.
const stepName = text(200)
const stepFn = required(fn())
const durableContext = withMethods<DurableContext>('step', 'wait')
const lambdaContextHolder = object<Pick<DurableContext, 'lambdaContext'>>(true)
const wantedMs = ms(undefined)
const reserve = ms(DEFAULT_RESERVE_MS)

/**
 * Runs `fn` as the durable step `name` if it fits in what is left of this invocation; otherwise
 * yields first so that it runs at the start of the next invocation.
 *
 * The decision is itself a (tiny) checkpointed step, `<name>:budget`, followed when yielding by
 * the wait `<name>:yield`: a replay must meet the same operations in the same order, and the
 * remaining time is different on every replay, so the decision is recorded, not recomputed.
 * It is taken once per step: after one yield the step runs whatever the next invocation has
 * left, so a step longer than the whole function timeout is not deferred forever.
 *
 * The wait outlasts this invocation (it lasts until the invocation's hard deadline, rounded up
 * to whole seconds). A shorter wait can complete inside the same invocation (the SDK keeps an
 * in-process timer for a wait that ends before the invocation does, and it does not suspend
 * while other branches are still running), and the step would then start late after all. The
 * execution resumes about when the invocation would have been killed anyway, so yielding costs
 * no wall-clock time compared with starting the step and losing it.
 */
export async function stepWithinBudget<T>(
  context: DurableContext,
  name: string,
  fn: StepFunc<T>,
  budget: Partial<StepBudget<T>> & Pick<StepBudget<T>, 'expectedMs'>,
): Promise<T> {
  checkArgument(PACKAGE, 'context', required(durableContext), context)
  checkArgument(PACKAGE, 'name', stepName, name)
  checkArgument(PACKAGE, 'fn', stepFn, fn)
  const config = checkOptions(PACKAGE, OPTIONS, budget, 'budget') as StepBudget<T>
  const checked = await context.step<StepBudgetDecision>(
    `${name}:budget`,
    async () => decide(context, config),
    // Deciding cannot fail in a way a retry would fix.
    { retryStrategy: () => ({ shouldRetry: false }) },
  )
  if (checked.decision === 'yield') await context.wait(`${name}:yield`, { seconds: checked.waitSeconds })
  return context.step(name, fn, config.step)
}

/**
 * The same check as a value, for code that wants to decide itself (for example, to hand the
 * rest of a loop to a new execution). Not checkpointed: call it inside a step, or record what it
 * returns, before basing durable operations on it.
 */
export function invocationHasTimeFor(context: Pick<DurableContext, 'lambdaContext'>, ms: number, reserveMs?: number): boolean {
  checkArgument(PACKAGE, 'context', lambdaContextHolder, context)
  const left = timeLeft(context, checkArgument(PACKAGE, 'reserveMs', reserve, reserveMs))
  return left === null || left.beforeCutoffMs >= checkArgument(PACKAGE, 'ms', wantedMs, ms)
}

function decide<T>(context: DurableContext, config: StepBudget<T>): StepBudgetDecision {
  const needMs = config.expectedMs * config.safetyFactor
  const left = timeLeft(context, config.reserveMs)
  if (left === null) return { decision: 'run', remainingMs: null, needMs, waitSeconds: 0 }
  if (left.beforeCutoffMs >= needMs) return { decision: 'run', remainingMs: left.beforeCutoffMs, needMs, waitSeconds: 0 }
  const waitSeconds = Math.max(config.minYieldSeconds, Math.ceil(left.beforeKillMs / 1000))
  return { decision: 'yield', remainingMs: left.beforeCutoffMs, needMs, waitSeconds }
}

interface TimeLeft {
  /** Before the point where work should stop (the shared deadline's cutoff, or minus `reserveMs`). */
  beforeCutoffMs: number
  /** Before Lambda ends the invocation. */
  beforeKillMs: number
}

function timeLeft(context: Pick<DurableContext, 'lambdaContext'>, reserveMs: number): TimeLeft | null {
  const deadline = currentDeadline()
  if (deadline !== undefined && deadline.status === 'running') {
    return { beforeCutoffMs: deadline.remaining(), beforeKillMs: deadline.remainingToHardDeadline() }
  }
  // The caller's context: read with care, and a promise it returns is not a remaining time.
  const lambdaContext = readSafely(context, 'lambdaContext')
  const read = readSafely(lambdaContext, 'getRemainingTimeInMillis')
  const value = typeof read === 'function' ? callGuarded(read as () => unknown, lambdaContext, [], () => {}) : undefined
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    warnOnce(
      'durable:no-remaining-time',
      PACKAGE,
      'the durable context has no usable lambdaContext.getRemainingTimeInMillis(): steps start unchecked',
    )
    return null
  }
  return { beforeCutoffMs: Math.max(0, value - reserveMs), beforeKillMs: Math.max(0, value) }
}
