import {
  answerMarginMs,
  checkArgument,
  checkOptions,
  currentDeadline,
  type Deadline,
  fn,
  instance,
  required,
  scheduleAfter,
  warnOnce,
  withMethods,
} from '@middy-deadline/deadline/internal'
import { ContinuationError, ItemAbandonedError, notABatch } from './errors.js'
import { BUDGET_OPTIONS, type BudgetOptions, PACKAGE } from './options.js'

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

interface Running {
  readonly startedAt: number
  readonly signal: AbortSignal
  readonly dispose: () => void
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
  const list = items

  const outcomes: ItemOutcome<TItem, TResult>[] = new Array(list.length)
  const keys = call.orderKey === undefined ? undefined : list.map((item, index) => keyOf(call.orderKey, item, index))
  const pending = new Set<number>(list.keys())
  const running = new Map<number, Running>()
  const busyKeys = new Set<string>()
  const blockedKeys = new Set<string>()
  let stoppedBy: 'no-time' | 'aborted' | undefined
  let cancelAbandon: (() => void) | undefined
  let finish!: () => void
  const finished = new Promise<void>((resolve) => {
    finish = resolve
  })

  const signals = [deadline?.signal, call.signal].filter((s): s is AbortSignal => s !== undefined)
  const aborted = () => signals.some((s) => s.aborted)
  const fits = () => {
    if (deadline === undefined) return true
    const learned = config.estimator === false ? undefined : config.estimator.estimate()
    // At least 1 ms: with nothing learned yet, an item must still not start with no time left.
    return deadline.hasTimeFor(Math.max(1, (learned ?? config.expectedMs) * config.safetyFactor))
  }

  const settle = (index: number, outcome: ItemOutcome<TItem, TResult>) => {
    const entry = running.get(index)
    if (entry === undefined) return // abandoned already: a late result changes nothing reported
    running.delete(index)
    entry.dispose()
    const key = keys?.[index]
    if (key !== undefined) {
      busyKeys.delete(key)
      if (outcome.status !== 'done') blockedKeys.add(key)
    }
    // An item cut short by its signal says only that it would have taken longer: learning from
    // it would pull the estimate down exactly when time is short.
    if (config.estimator !== false && outcome.status !== 'not-started' && !entry.signal.aborted) config.estimator.record(outcome.durationMs)
    outcomes[index] = outcome
    pump()
  }

  const start = (index: number) => {
    const item = list[index] as TItem
    pending.delete(index)
    const key = keys?.[index]
    if (key !== undefined) busyKeys.add(key)
    const scope = itemScope(deadline, config.itemTimeoutMs, call.signal)
    const startedAt = performance.now()
    running.set(index, { startedAt, signal: scope.signal, dispose: scope.dispose })
    let promise: Promise<TResult>
    try {
      promise = Promise.resolve(fn(item, { signal: scope.signal, index, deadline }))
    } catch (error) {
      promise = Promise.reject(error)
    }
    promise.then(
      (value) => settle(index, { status: 'done', index, item, value, durationMs: performance.now() - startedAt }),
      (error: unknown) => settle(index, { status: 'failed', index, item, error, durationMs: performance.now() - startedAt }),
    )
  }

  const nextStartable = (): number | undefined => {
    for (const index of pending) {
      const key = keys?.[index]
      if (key === undefined) return index
      if (blockedKeys.has(key)) {
        pending.delete(index)
        outcomes[index] = { status: 'not-started', index, item: list[index] as TItem, reason: 'ordering' }
        continue
      }
      if (!busyKeys.has(key)) return index
    }
    return undefined
  }

  const pump = () => {
    while (stoppedBy === undefined && running.size < config.concurrency) {
      const index = nextStartable()
      if (index === undefined) break
      if (aborted()) stoppedBy = 'aborted'
      else if (!fits()) stoppedBy = 'no-time'
      else start(index)
    }
    if (stoppedBy !== undefined) {
      // The run answers with what it has (after at most `abandonAfterMs` at the cutoff), and the
      // handler with it, handing on the rest maybe: whoever would settle the invocation at the
      // cutoff waits for that answer instead of replacing it (graceful-timeout's plugin).
      deadline?.expectAnswer()
      for (const index of pending) {
        const key = keys?.[index]
        const reason = key !== undefined && blockedKeys.has(key) ? 'ordering' : stoppedBy
        outcomes[index] = { status: 'not-started', index, item: list[index] as TItem, reason }
        if (key !== undefined) blockedKeys.add(key)
      }
      pending.clear()
    }
    if (pending.size === 0 && running.size === 0) finish()
  }

  const abandon = () => {
    for (const [index, entry] of running) {
      entry.dispose()
      const durationMs = performance.now() - entry.startedAt
      const error = new ItemAbandonedError(`item ${index} had not settled ${config.abandonAfterMs} ms after its signal aborted`)
      outcomes[index] = { status: 'failed', index, item: list[index] as TItem, error, durationMs }
    }
    running.clear()
    finish()
  }

  const onAbort = () => {
    if (stoppedBy === undefined) stoppedBy = 'aborted'
    pump()
    // Deliberately a plain timer, not a deadline scope: this wait runs after the cutoff (inside
    // the reserve), where every deadline scope has already ended.
    if (running.size > 0 && cancelAbandon === undefined)
      cancelAbandon = scheduleAfter(abandonWaitMs(deadline, config.abandonAfterMs), abandon)
  }
  for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true })
  let stopWatchingEnd: (() => void) | undefined

  try {
    if (aborted()) onAbort()
    else pump()
    // A run never outlives its invocation: once the deadline has ended (the invocation was settled
    // without waiting for this run), what still runs is abandoned now, instead of leaving the
    // abandon timer armed into whatever the process does next (on Lambda, the next invocation).
    stopWatchingEnd = deadline?.onEnd(abandon)
    await finished
  } finally {
    cancelAbandon?.()
    stopWatchingEnd?.()
    for (const signal of signals) signal.removeEventListener('abort', onAbort)
  }

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

/**
 * `abandonAfterMs`, cut short so that the answer still goes out `answerMarginMs` before the hard
 * deadline: the deadline caps the reserve at half of a short budget, and a caller's signal may
 * abort late, so the wait that fits is known only now.
 */
function abandonWaitMs(deadline: Deadline | undefined, abandonAfterMs: number): number {
  if (deadline === undefined || deadline.status !== 'running') return abandonAfterMs
  const fits = Math.floor(deadline.remainingToHardDeadline() - answerMarginMs(deadline))
  return Math.max(0, Math.min(abandonAfterMs, fits))
}

function keyOf<TItem>(orderKey: RunCallOptions<TItem, unknown>['orderKey'], item: TItem, index: number): string | undefined {
  try {
    return orderKey?.(item, index)
  } catch (error) {
    // A key we cannot compute must not drop the item; treat it as unordered and say so once.
    warnOnce('runner:order-key-threw', PACKAGE, `orderKey threw (${String(error)}); the item runs without an ordering constraint`)
    return undefined
  }
}

function itemScope(
  deadline: Deadline | undefined,
  itemTimeoutMs: number | undefined,
  signal: AbortSignal | undefined,
): { signal: AbortSignal; dispose: () => void } {
  if (deadline !== undefined) return deadline.scope(itemTimeoutMs, signal)
  // No deadline (outside an invocation): only the caller's signal and the item's own timeout.
  const parts = [signal, itemTimeoutMs === undefined ? undefined : AbortSignal.timeout(itemTimeoutMs)].filter(
    (s): s is AbortSignal => s !== undefined,
  )
  const combined =
    parts.length === 0 ? new AbortController().signal : parts.length === 1 ? (parts[0] as AbortSignal) : AbortSignal.any(parts)
  return { signal: combined, dispose: () => {} }
}
