import {
  checkArgument,
  checkOptions,
  currentDeadline,
  type Deadline,
  fn,
  instance,
  required,
  warnOnce,
  withMethods,
} from '@middy-deadline/deadline/internal'
import { ContinuationError, notABatch } from './errors.js'
import { BUDGET_OPTIONS, type BudgetOptions, PACKAGE } from './options.js'
import { ItemScheduler } from './scheduler.js'

/** Why an item was never started. */
export type NotStartedReason =
  /** Its expected duration (× safety factor) no longer fitted before the cutoff. */
  | 'no-time'
  /** The deadline's signal (or the caller's) had aborted. */
  | 'aborted'
  /** An earlier item with the same order key failed or was not started. */
  | 'ordering'

export type ItemOutcome<TItem, TResult> =
  | { status: 'done'; index: number; item: TItem; value: TResult; durationMs: number }
  | { status: 'failed'; index: number; item: TItem; error: unknown; durationMs: number }
  | { status: 'not-started'; index: number; item: TItem; reason: NotStartedReason }

/** What each item's function gets besides the item. */
export interface ItemContext {
  /** Aborts at the cutoff, at the item's own timeout, or when the caller's signal aborts. */
  readonly signal: AbortSignal
  readonly index: number
  readonly deadline: Deadline | undefined
}

export type ItemFn<TItem, TResult> = (item: TItem, context: ItemContext) => Promise<TResult> | TResult

export interface BudgetRun<TItem, TResult> {
  /** Every item is done. */
  readonly complete: boolean
  /** One outcome per item, in the items' order. */
  readonly outcomes: readonly ItemOutcome<TItem, TResult>[]
  /** The items never started, in order: what is left to do. */
  readonly rest: readonly TItem[]
  /**
   * Index of the first item never started (`undefined` when all were started). Without
   * `orderKey` the items from here on are exactly `rest`; with it, use `rest`.
   */
  readonly cursor: number | undefined
  /** Why the run stopped starting items, if it did. */
  readonly stoppedBy: 'no-time' | 'aborted' | undefined
  /** `continueWith` took the rest. */
  readonly continued: boolean
}

/** Per-call settings: they belong to one invocation, so they are not part of a runner's options. */
export interface RunCallOptions<TItem, TResult> {
  /** The invocation's deadline; defaults to `currentDeadline()`. */
  deadline?: Deadline | undefined
  /** A signal of the caller's own; aborting it stops the run like the cutoff does. */
  signal?: AbortSignal | undefined
  /**
   * Items with the same key run one at a time, in order, and once one of them fails or is not
   * started, the later ones are not started (`ordering`). `undefined` = no constraint.
   */
  orderKey?: ((item: TItem, index: number) => string | undefined) | undefined
  /** Called with what was not started (before the run returns) to hand it onward. */
  continueWith?: ((rest: TItem[], run: BudgetRun<TItem, TResult>) => Promise<void> | void) | undefined
}

export type BudgetRunner = <TItem, TResult>(
  items: readonly TItem[],
  fn: ItemFn<TItem, TResult>,
  call?: RunCallOptions<TItem, TResult>,
) => Promise<BudgetRun<TItem, TResult>>

/** Per-call options: checked on every call, since they belong to one invocation. */
const CALL_OPTIONS = {
  // By its methods, not instanceof: a second copy of the deadline package makes deadlines too.
  deadline: withMethods<Deadline>('scope', 'hasTimeFor'),
  signal: instance(AbortSignal, 'an AbortSignal'),
  orderKey: fn<NonNullable<RunCallOptions<unknown, unknown>['orderKey']>>(),
  continueWith: fn<NonNullable<RunCallOptions<unknown, unknown>['continueWith']>>(),
}
const RUN_OPTIONS = { ...BUDGET_OPTIONS, ...CALL_OPTIONS }
const itemFn = required(fn())

/**
 * A runner with its options checked once, and its duration estimator (workload knowledge that
 * outlives invocations) kept for the life of the runner. Create it at module scope.
 */
export function budgetRunner(options: Partial<BudgetOptions> = {}): BudgetRunner {
  return runnerOf(checkOptions(PACKAGE, BUDGET_OPTIONS, options))
}

/** A runner of options already checked (the batch handlers check theirs with more keys). */
export function runnerOf(config: BudgetOptions): BudgetRunner {
  return (items, fn, call) => run(items, fn, config, call)
}

/** One-off form of `budgetRunner(options)(items, fn, options)`. */
export function runWithinBudget<TItem, TResult>(
  items: readonly TItem[],
  fn: ItemFn<TItem, TResult>,
  options: Partial<BudgetOptions> & RunCallOptions<TItem, TResult> = {},
): Promise<BudgetRun<TItem, TResult>> {
  const config = checkOptions(PACKAGE, RUN_OPTIONS, options)
  return run(items, fn, config, config as RunCallOptions<TItem, TResult>, true)
}

function run<TItem, TResult>(
  items: readonly TItem[],
  fn: ItemFn<TItem, TResult>,
  config: BudgetOptions,
  call: unknown,
  callChecked = false,
): Promise<BudgetRun<TItem, TResult>> {
  // Refused at the call, not as a rejected run: the mistake is the caller's, like a bad option.
  checkArgument(PACKAGE, 'fn', itemFn, fn)
  const checked = (callChecked ? call : checkOptions(PACKAGE, CALL_OPTIONS, call)) as RunCallOptions<TItem, TResult>
  return runChecked(items, fn, config, checked)
}

async function runChecked<TItem, TResult>(
  items: readonly TItem[],
  fn: ItemFn<TItem, TResult>,
  config: BudgetOptions,
  call: RunCallOptions<TItem, TResult>,
): Promise<BudgetRun<TItem, TResult>> {
  const deadline = call.deadline ?? currentDeadline()
  if (deadline === undefined) {
    warnOnce(
      'runner:no-deadline',
      PACKAGE,
      'no deadline found (no middleware of ours, no `deadline` option): items run without a time budget',
    )
  }
  // A run over nothing would come back `complete`: a caller would acknowledge work that never ran.
  if (!Array.isArray(items)) throw notABatch('the items to run', items, 'nothing was run')

  const scheduler = new ItemScheduler(items, fn, config, call, deadline)
  await scheduler.run()
  const { outcomes, stoppedBy } = scheduler

  const rest = outcomes.filter((o) => o.status === 'not-started').map((o) => o.item)
  const cursor = outcomes.find((o) => o.status === 'not-started')?.index
  const result: BudgetRun<TItem, TResult> = {
    complete: outcomes.every((o) => o.status === 'done'),
    outcomes,
    rest,
    cursor,
    stoppedBy,
    continued: false,
  }
  if (rest.length === 0 || call.continueWith === undefined) return result
  try {
    await call.continueWith([...rest], result)
  } catch (error) {
    throw new ContinuationError(`${PACKAGE}: continueWith failed; ${rest.length} item(s) were neither done nor handed on`, rest, {
      cause: error,
    })
  }
  return { ...result, continued: true }
}
