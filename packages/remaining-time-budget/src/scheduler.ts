import {
  answerMarginMs,
  callGuarded,
  type Deadline,
  type DeadlineScope,
  MAX_LAMBDA_MS,
  scheduleAfter,
  scopeWithoutDeadline,
  warnOnFailure,
} from '@middy-deadline/deadline/internal'
import { ItemAbandonedError } from './errors.js'
import { type BudgetOptions, PACKAGE } from './options.js'
import type { ItemFn, ItemOutcome, RunCallOptions } from './runner.js'

interface Running {
  readonly startedAt: number
  readonly signal: AbortSignal
  readonly dispose: () => void
}

/**
 * One run over a list of items: starts the next item while it fits before the cutoff (up to
 * `concurrency` at once, held back by its order key), settles each as its function does, and once
 * the cutoff or the caller's signal stops it, gives up on what was not started and, after
 * `abandonAfterMs`, abandons what still runs. `run()` resolves when every item has an outcome.
 */
export class ItemScheduler<TItem, TResult> {
  /** One outcome per item, in the items' order, once `run()` has resolved. */
  readonly outcomes: ItemOutcome<TItem, TResult>[]
  /** Why the run stopped starting items, if it did. */
  stoppedBy: 'no-time' | 'aborted' | undefined

  readonly #items: readonly TItem[]
  readonly #fn: ItemFn<TItem, TResult>
  readonly #config: BudgetOptions
  readonly #callerSignal: AbortSignal | undefined
  readonly #deadline: Deadline | undefined
  readonly #order: OrderKeys
  /** The items not started yet, in order. */
  readonly #pending: Set<number>
  readonly #running = new Map<number, Running>()
  readonly #signals: AbortSignal[]
  #cancelAbandon: (() => void) | undefined
  #finish!: () => void
  #break!: (error: unknown) => void
  readonly #finished = new Promise<void>((resolve, reject) => {
    this.#finish = resolve
    this.#break = reject
  })

  constructor(
    items: readonly TItem[],
    fn: ItemFn<TItem, TResult>,
    config: BudgetOptions,
    call: RunCallOptions<TItem, TResult>,
    deadline: Deadline | undefined,
  ) {
    this.#items = items
    this.#fn = fn
    this.#config = config
    this.#callerSignal = call.signal
    this.#deadline = deadline
    this.outcomes = new Array(items.length)
    const { orderKey } = call
    this.#order = new OrderKeys(orderKey === undefined ? [] : items.map((item, index) => keyOf(orderKey, item, index)))
    this.#pending = new Set(items.keys())
    this.#signals = [deadline?.signal, call.signal].filter((s): s is AbortSignal => s !== undefined)
  }

  /** Runs the items; resolves once each has an outcome. */
  async run(): Promise<void> {
    const onAbort = () => this.#stopAtAbort()
    for (const signal of this.#signals) signal.addEventListener('abort', onAbort, { once: true })
    let stopWatchingEnd: (() => void) | undefined
    try {
      if (this.#aborted()) this.#stopAtAbort()
      else this.#startWhatFits()
      // A run never outlives its invocation: once the deadline has ended (the invocation was settled
      // without waiting for this run), what still runs is abandoned now, instead of leaving the
      // abandon timer armed into whatever the process does next (on Lambda, the next invocation).
      stopWatchingEnd = this.#deadline?.onEnd(() => this.#abandonRunning())
      await this.#finished
    } finally {
      this.#cancelAbandon?.()
      stopWatchingEnd?.()
      for (const signal of this.#signals) signal.removeEventListener('abort', onAbort)
    }
  }

  /** Starts the next items while there is room and time; once stopped, gives up on the rest. */
  #startWhatFits(): void {
    while (this.stoppedBy === undefined && this.#running.size < this.#config.concurrency) {
      const index = this.#nextStartable()
      if (index === undefined) break
      if (this.#aborted()) this.stoppedBy = 'aborted'
      else if (!this.#nextFits()) this.stoppedBy = 'no-time'
      else this.#start(index)
    }
    if (this.stoppedBy !== undefined) this.#giveUpOnPending(this.stoppedBy)
    if (this.#pending.size === 0 && this.#running.size === 0) this.#finish()
  }

  /** The first item not started whose key lets it start now; those its key holds back for good are not started. */
  #nextStartable(): number | undefined {
    for (const index of this.#pending) {
      const state = this.#order.stateOf(index)
      if (state === 'free') return index
      if (state === 'blocked') {
        this.#pending.delete(index)
        this.outcomes[index] = { status: 'not-started', index, item: this.#items[index] as TItem, reason: 'ordering' }
      }
    }
    return undefined
  }

  #aborted(): boolean {
    return this.#signals.some((s) => s.aborted)
  }

  #nextFits(): boolean {
    const deadline = this.#deadline
    if (deadline === undefined) return true
    const { estimator, expectedMs, safetyFactor } = this.#config
    const learned = estimator === false ? undefined : callGuarded(estimator.estimate, estimator, [], estimatorFailed)
    // At least 1 ms: with nothing learned yet, an item must still not start with no time left.
    // An estimate that is not a duration (a broken estimator) counts as nothing learned.
    const expected = typeof learned === 'number' && learned >= 0 && learned <= MAX_LAMBDA_MS ? learned : expectedMs
    return deadline.hasTimeFor(Math.max(1, expected * safetyFactor))
  }

  #start(index: number): void {
    const item = this.#items[index] as TItem
    this.#pending.delete(index)
    this.#order.started(index)
    const deadline = this.#deadline
    const scope = itemScope(deadline, this.#config.itemTimeoutMs, this.#callerSignal)
    const startedAt = performance.now()
    this.#running.set(index, { startedAt, signal: scope.signal, dispose: scope.dispose })
    let promise: Promise<TResult>
    try {
      promise = Promise.resolve(this.#fn(item, { signal: scope.signal, index, deadline }))
    } catch (error) {
      promise = Promise.reject(error)
    }
    promise
      .then(
        (value) => this.#settle(index, { status: 'done', index, item, value, durationMs: performance.now() - startedAt }),
        (error: unknown) => this.#settle(index, { status: 'failed', index, item, error, durationMs: performance.now() - startedAt }),
      )
      // Going on can fail only through a `deadline` option of the caller's that throws: the run
      // rejects with that, rather than hang or end the process with an unhandled rejection.
      .catch(this.#break)
  }

  /** An item's function settled: its outcome stands (unless it was abandoned already), and the next may start. */
  #settle(index: number, outcome: ItemOutcome<TItem, TResult>): void {
    const entry = this.#running.get(index)
    if (entry === undefined) return // abandoned already: a late result changes nothing reported
    this.#running.delete(index)
    entry.dispose()
    this.#order.settled(index, outcome.status === 'done')
    // An item cut short by its signal says only that it would have taken longer: learning from
    // it would pull the estimate down exactly when time is short.
    const { estimator } = this.#config
    if (estimator !== false && outcome.status !== 'not-started' && !entry.signal.aborted)
      callGuarded(estimator.record, estimator, [outcome.durationMs], estimatorFailed)
    this.outcomes[index] = outcome
    this.#startWhatFits()
  }

  /** The items not started never will be: each says why, and holds back the later ones with its key. */
  #giveUpOnPending(stoppedBy: 'no-time' | 'aborted'): void {
    // The run answers with what it has (after at most `abandonAfterMs` at the cutoff), and the
    // handler with it, handing on the rest maybe: whoever would settle the invocation at the
    // cutoff waits for that answer instead of replacing it (graceful-timeout's plugin).
    this.#deadline?.expectAnswer()
    for (const index of this.#pending) {
      const reason = this.#order.holdBack(index) ? 'ordering' : stoppedBy
      this.outcomes[index] = { status: 'not-started', index, item: this.#items[index] as TItem, reason }
    }
    this.#pending.clear()
  }

  /** The cutoff came or the caller's signal aborted: nothing more starts; what runs gets `abandonAfterMs` to settle. */
  #stopAtAbort(): void {
    if (this.stoppedBy === undefined) this.stoppedBy = 'aborted'
    this.#startWhatFits()
    // Deliberately a plain timer, not a deadline scope: this wait runs after the cutoff (inside
    // the reserve), where every deadline scope has already ended.
    if (this.#running.size > 0 && this.#cancelAbandon === undefined)
      this.#cancelAbandon = scheduleAfter(abandonWaitMs(this.#deadline, this.#config.abandonAfterMs), () => this.#abandonRunning())
  }

  /** What still runs is reported as failed (`ItemAbandonedError`), and the run answers. */
  #abandonRunning(): void {
    for (const [index, entry] of this.#running) {
      entry.dispose()
      const durationMs = performance.now() - entry.startedAt
      const error = new ItemAbandonedError(
        `item ${index} had not settled ${this.#config.abandonAfterMs} ms after its signal aborted`,
        this.#deadline?.cutoffReached ? 'cutoff' : 'operation',
      )
      this.outcomes[index] = { status: 'failed', index, item: this.#items[index] as TItem, error, durationMs }
    }
    this.#running.clear()
    this.#finish()
  }
}

/**
 * Items with the same order key run one at a time, in order, and once one of them fails or is not
 * started, the later ones are held back for good. An item without a key is always free to start.
 */
class OrderKeys {
  readonly #keys: readonly (string | undefined)[]
  readonly #busy = new Set<string>()
  readonly #heldBack = new Set<string>()

  constructor(keys: readonly (string | undefined)[]) {
    this.#keys = keys
  }

  stateOf(index: number): 'free' | 'busy' | 'blocked' {
    const key = this.#keys[index]
    if (key === undefined) return 'free'
    if (this.#heldBack.has(key)) return 'blocked'
    return this.#busy.has(key) ? 'busy' : 'free'
  }

  started(index: number): void {
    const key = this.#keys[index]
    if (key !== undefined) this.#busy.add(key)
  }

  settled(index: number, done: boolean): void {
    const key = this.#keys[index]
    if (key === undefined) return
    this.#busy.delete(key)
    if (!done) this.#heldBack.add(key)
  }

  /** The item will not start: the later ones with its key will not either. Whether an earlier one already held it back. */
  holdBack(index: number): boolean {
    const key = this.#keys[index]
    if (key === undefined) return false
    const already = this.#heldBack.has(key)
    this.#heldBack.add(key)
    return already
  }
}

/**
 * `abandonAfterMs`, counted from the cutoff as it was due when the cutoff stopped the run (a late
 * cutoff timer, a blocked event loop, has used part of the wait: counted from then, the answer
 * would take the rest of the reserve), and cut short so that the answer still goes out
 * `answerMarginMs` before the hard deadline: the deadline caps the reserve at half of a short
 * budget, and a caller's signal may abort late, so the wait that fits is known only now.
 */
function abandonWaitMs(deadline: Deadline | undefined, abandonAfterMs: number): number {
  if (deadline === undefined || deadline.status !== 'running') return abandonAfterMs
  const fits = Math.floor(deadline.remainingToHardDeadline() - answerMarginMs(deadline))
  return Math.max(0, Math.min(abandonAfterMs - deadline.sinceCutoff(), fits))
}

// A key we cannot compute must not drop the item: it runs unordered, and we say so once.
const orderKeyFailed = warnOnFailure('runner:order-key', PACKAGE, 'orderKey failed; the item runs without an ordering constraint', false)
const estimatorFailed = warnOnFailure('runner:estimator', PACKAGE, 'the estimator failed; expectedMs is used instead', false)

function keyOf<TItem>(orderKey: NonNullable<RunCallOptions<TItem, unknown>['orderKey']>, item: TItem, index: number): string | undefined {
  return callGuarded(orderKey, undefined, [item, index], orderKeyFailed) ?? undefined
}

function itemScope(deadline: Deadline | undefined, itemTimeoutMs: number | undefined, signal: AbortSignal | undefined): DeadlineScope {
  return deadline === undefined ? scopeWithoutDeadline(itemTimeoutMs, signal) : deadline.scope(itemTimeoutMs, signal)
}
