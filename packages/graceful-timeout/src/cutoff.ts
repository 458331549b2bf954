import type { Request } from '@middy/core'
import { answerMarginMs, type Deadline, timelineOf, timerDelay } from '@middy-deadline/deadline/internal'
import { runHooks } from './hooks.js'
import { writeRecord } from './log.js'
import type { GracefulTimeoutConfig, TimeoutHook, WatchedInvocation } from './options.js'
import { type TimeoutRecord, type TimeoutTrigger, timeoutRecord } from './record.js'

/** Where the invocation is as far as this middleware can tell without the plugin's phases. */
export type Stage = 'handler' | 'after' | 'onError'

/**
 * One invocation's handling of its cutoff. Created in `before` and kept on the request, so
 * concurrent invocations never share it.
 *
 * At the cutoff (the deadline has just aborted its signal) it writes the record at once, then
 * gives the handler a moment to run its own `catch`/`finally` before the hooks start: logs those
 * write are then among what the hooks flush. The hooks start earlier if the chain reaches our
 * `after`/`onError` first, which is when a handler that honours the signal has settled.
 */
export class CutoffHandling<TEvent, TResult> {
  stage: Stage = 'handler'
  trigger: TimeoutTrigger = 'cutoff'
  #record: TimeoutRecord | undefined
  #hooks: Promise<void> | undefined
  #graceTimer: NodeJS.Timeout | undefined
  /** The hooks of the same middleware used again further in, if it was. */
  #innerHooks: TimeoutHook<TEvent, TResult>[] | undefined
  readonly #request: Request<TEvent, TResult>
  readonly #deadline: Deadline
  readonly #config: GracefulTimeoutConfig<TEvent, TResult>
  readonly #watched: WatchedInvocation | undefined
  /** The middleware instance that created it: only its `after`/`onError` act on it. */
  readonly owner: object

  constructor(
    owner: object,
    request: Request<TEvent, TResult>,
    deadline: Deadline,
    config: GracefulTimeoutConfig<TEvent, TResult>,
    watched: WatchedInvocation | undefined,
  ) {
    this.owner = owner
    this.#request = request
    this.#deadline = deadline
    this.#config = config
    this.#watched = watched
  }

  get reached(): boolean {
    return this.#record !== undefined
  }

  /** Runs `hooks` after this middleware's own (an inner instance of it in the same chain). */
  addHooks(hooks: readonly TimeoutHook<TEvent, TResult>[]): void {
    this.#innerHooks = [...(this.#innerHooks ?? []), ...hooks]
  }

  /** The deadline's cutoff listener (runs synchronously right after the signal aborted). */
  readonly onCutoff = (): void => {
    const deadline = this.#deadline
    this.#record = timeoutRecord(deadline, timelineOf(deadline).currentPhase ?? this.stage, this.trigger)
    // If the watchdog already wrote the record (we were late), one record is enough.
    if (this.#watched?.acknowledge() !== false) writeRecord(this.#record, this.#config.logger)
    if (this.#config.onTimeout.length > 0 || this.#innerHooks !== undefined) {
      // Bound here, at the cutoff, rather than once per invocation: most invocations never need it.
      const startHooks = () => this.startHooks()
      this.#graceTimer = setTimeout(startHooks, graceLeftMs(deadline))
      // An invocation can end without reaching our after/onError (an inner `after` that answers
      // early, an inner `onError` that throws): start the hooks then rather than after a freeze.
      deadline.onEnd(startHooks)
    }
  }

  /** Starts the hooks if they have not started; resolves when they are done (never rejects). */
  startHooks(): Promise<void> {
    if (this.#record === undefined) return Promise.resolve()
    clearTimeout(this.#graceTimer)
    if (this.#hooks === undefined) {
      const hooks = this.#innerHooks === undefined ? this.#config.onTimeout : [...this.#config.onTimeout, ...this.#innerHooks]
      this.#hooks = runHooks(hooks, this.#request, this.#deadline, this.#record, answerMarginMs(this.#deadline), this.#config.logger)
    }
    return this.#hooks
  }
}

// A share of the reserve (default 500 ms): up to 100 ms for the handler's own catch/finally before
// the hooks start; it shrinks with a smaller reserve. The last part is kept for answering
// (answerMarginMs). Declared as functions, not arrows in constants: a change to an arrow happens
// when the module loads, and mutation testing cannot tie it to the tests that call it.
export function graceMs(deadline: Deadline): number {
  return Math.min(100, deadline.reserveMs * 0.2)
}

/**
 * What is left of the grace, as a timer delay. It counts from the cutoff as it was due: a cutoff
 * timer that fired late (a blocked event loop, Middy's timer set below our reserve) has used part
 * of it already, and a full grace from then would take its time from the hooks and the answer.
 */
export function graceLeftMs(deadline: Deadline): number {
  return timerDelay(graceMs(deadline) - deadline.sinceCutoff())
}
