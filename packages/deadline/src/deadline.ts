import { monotonicNow, TIMER_EARLY_TOLERANCE_MS } from './clock.js'
import { DeadlineTimeoutError, InvocationEndedError } from './errors.js'
import { clip, describeError, describeValue } from './internal/describe.js'
import { callGuarded, onRejection, readSafely } from './internal/guard.js'
import { checkArgument, instance, number } from './internal/options.js'
import { operationTimedOut } from './internal/timeouts.js'
import { PACKAGE } from './name.js'
import { Timeline } from './timeline.js'
import { scheduleAfter, timerDelay } from './timer.js'
import { warnOnce, warnOnFailure } from './warn-once.js'

/**
 * - `running`: the context gave a usable remaining time; the deadline enforces its cutoff.
 * - `unknown`: no `getRemainingTimeInMillis`, or it returned NaN/Infinity. Nothing is enforced.
 * - `expired`: the remaining time was already 0 or negative at the start. Nothing is enforced:
 *   Lambda never starts an invocation that way, so it means a fake or broken context, and cutting
 *   every piece of work at once would break the function instead of protecting it.
 */
export type DeadlineStatus = 'running' | 'unknown' | 'expired'

export interface DeadlineMark {
  readonly name: string
  /** Milliseconds since the invocation started (monotonic). */
  readonly atMs: number
}

export interface DeadlineScope extends Disposable {
  readonly signal: AbortSignal
  /** Releases the scope's timer and listeners; call it when the operation has finished. */
  dispose(): void
}

export interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number
  awsRequestId?: string
  /** Middy 7's durable mode hands the handler a durable context that wraps Lambda's. */
  lambdaContext?: { getRemainingTimeInMillis?: () => number; awsRequestId?: string }
}

type Listener = (deadline: Deadline) => void

/**
 * The key of what only our packages call on a deadline (`reachCutoff` in deadline/internal): not a
 * name users see. `Symbol.for`, so that a second copy of this package reaches it too.
 */
export const REACH_CUTOFF: unique symbol = Symbol.for('@middy-deadline/deadline.reachCutoff')
/** The key of the invocation's timeline (`timelineOf` in deadline/internal), likewise. */
export const TIMELINE: unique symbol = Symbol.for('@middy-deadline/deadline.timeline')

/** The reserve never takes more than this share of the time the invocation started with. */
export const MAX_RESERVE_SHARE = 0.5

/** The most of the reserve kept for answering (see `answerMarginMs`). */
export const MAX_ANSWER_MARGIN_MS = 50

/**
 * The end of the reserve kept for answering once the cutoff's work is done (the rest of Middy's
 * chain, the runtime posting the response): a tenth of the reserve, at most 50 ms, at least 1 ms.
 * Whatever waits inside the reserve (graceful-timeout's hooks, a batch's unsettled records) stops
 * this long before the hard deadline.
 */
export function answerMarginMs(deadline: Deadline): number {
  return Math.max(1, Math.min(MAX_ANSWER_MARGIN_MS, deadline.reserveMs * 0.1))
}

export interface DeadlineInit {
  context: LambdaContextLike | undefined
  /**
   * The Middy request the deadline belongs to: its `earlyResponse` tells that the invocation is
   * already over (an early response skipped our `after`), its `error` which error it raised first.
   */
  request?: { readonly error?: unknown }
  /** Tells whether the invocation is already over, where there is no `request` to ask. */
  isOver?: () => boolean
}

/**
 * One invocation's time: the hard deadline fixed at the start, a cutoff before it (minus the
 * largest reserve anyone asked for), and the cancellation: an AbortSignal that aborts at the
 * cutoff, scopes for sub-operations, listeners. Timers and listeners exist only once someone needs
 * them, and `end()` releases all of them. What happened when (marks, phases) is the invocation's
 * timeline (timeline.ts), kept beside it.
 */
export class Deadline {
  readonly requestId: string
  readonly status: DeadlineStatus
  /** Epoch ms when this deadline was created (the start of the invocation as we see it). */
  readonly startedAt: number
  /** Epoch ms of Lambda's hard deadline; NaN unless `status` is `running`. */
  readonly hardDeadlineAt: number
  /** Remaining time at the start: on a fresh invocation, close to the configured timeout. */
  readonly budgetMs: number

  readonly #startMono: number
  readonly #hardMono: number
  readonly #isOverGiven: (() => boolean) | undefined
  readonly #request: { readonly error?: unknown } | undefined
  #firstError: unknown
  #requestedReserveMs = 0
  #timer: NodeJS.Timeout | undefined
  #controller: AbortController | undefined
  #cutoffListeners: Listener[] | undefined
  #children: Set<(reason: unknown) => void> | undefined
  #endListeners: Listener[] | undefined
  #timeline: Timeline | undefined
  /** When the cutoff came, on the monotonic clock (see `sinceCutoff`); undefined before. */
  #cutoffCameMono: number | undefined
  #cutoffReached = false
  #answerExpected = false
  #ended = false

  constructor({ context, request, isOver }: DeadlineInit) {
    this.#startMono = monotonicNow()
    this.startedAt = Date.now()
    this.#isOverGiven = isOver
    this.#request = request
    this.requestId = requestIdOf(context)
    const remaining = readRemaining(context)
    if (typeof remaining === 'number') {
      this.status = 'running'
      this.budgetMs = remaining
      this.hardDeadlineAt = this.startedAt + remaining
      this.#hardMono = this.#startMono + remaining
    } else {
      const [problem, detail] = remaining
      this.status = problem === 'expired' ? 'expired' : 'unknown'
      this.budgetMs = Number.NaN
      this.hardDeadlineAt = Number.NaN
      this.#hardMono = Number.POSITIVE_INFINITY
      warnOnce(
        `context:${problem}`,
        PACKAGE,
        `${detail}: the deadline is ${this.status} and nothing is enforced (no cutoff, no abort) for this or later invocations with the same problem`,
        { status: this.status },
      )
    }
  }

  // ---- reading the clock ----------------------------------------------------------------------

  /** Milliseconds since the invocation started, on the monotonic clock. */
  elapsed(): number {
    return monotonicNow() - this.#startMono
  }

  /** Milliseconds left until the cutoff (never negative); Infinity when nothing is enforced. */
  remaining(): number {
    return Math.max(0, this.#cutoffMono() - monotonicNow())
  }

  /** Milliseconds left until Lambda's hard deadline (never negative); Infinity when unknown. */
  remainingToHardDeadline(): number {
    return Math.max(0, this.#hardMono - monotonicNow())
  }

  /**
   * Milliseconds since the cutoff came (0 before it). Counted from when the cutoff was due, not
   * from when a late timer (a blocked event loop, a loaded machine) reached it, or from when it was
   * reached if that was earlier (Middy's own early timeout): whatever the reserve holds after the
   * cutoff ("the grace", "the wait for running items") counts from here, so a late timer shortens
   * it instead of pushing the answer towards the hard deadline.
   */
  sinceCutoff(): number {
    const came = this.#cutoffCameMono ?? (this.#cutoffTimeHasCome() ? this.#cutoffMono() : undefined)
    return came === undefined ? 0 : Math.max(0, monotonicNow() - came)
  }

  /** Whether `ms` of work still fits before the cutoff: never once the cutoff has come (see `cutoffReached`). */
  hasTimeFor(ms: number): boolean {
    return !this.cutoffReached && this.remaining() >= ms
  }

  /** The reserve in force: the largest asked for, capped at half of the starting budget. */
  get reserveMs(): number {
    if (this.status !== 'running') return 0
    return Math.min(this.#requestedReserveMs, Math.floor(this.budgetMs * MAX_RESERVE_SHARE))
  }

  /** Epoch ms of the cutoff (hard deadline minus the reserve); NaN when nothing is enforced. */
  get cutoffAt(): number {
    return this.hardDeadlineAt - this.reserveMs
  }

  /**
   * Whether the cutoff has come: reached (its timer fired, or Middy's own early timeout came first),
   * or its time has come though its timer has not run yet, as when synchronous work blocks the event
   * loop past it. Reading it changes nothing. After `end()` it tells whether the cutoff came before
   * the end. An invocation answered early (a later middleware's early response) is over: only a
   * cutoff reached before that counts. Never true while `status` is not `running`.
   */
  get cutoffReached(): boolean {
    return this.#cutoffReached || this.#cutoffTimeHasCome()
  }

  get ended(): boolean {
    return this.#ended
  }

  /**
   * The first error the invocation raised (`undefined` while there is none), kept even when an error
   * handler replaces `request.error` afterwards: `@middy/http-error-handler` swaps every error it
   * will not expose for a plain object.
   */
  get firstError(): unknown {
    return this.#firstError
  }

  /** Keeps `error` as the invocation's first error, if it has none yet. */
  noteError(error: unknown): void {
    if (this.#firstError === undefined) this.#firstError = error
  }

  /**
   * Keeps the request's current `error` as the first, if there is none yet. The plugin calls it as
   * every middleware starts: Middy sets the error before the first `onError`, before any of them
   * can replace it.
   */
  noteRequestError(): void {
    if (this.#firstError === undefined) this.#firstError = this.#request?.error
  }

  /** The handler said it answers by itself after the cutoff (see `expectAnswer`). */
  get answerExpected(): boolean {
    return this.#answerExpected
  }

  /**
   * Says that the handler, stopped by the cutoff, is winding down and will answer by itself (a
   * batch waiting for its started records before it reports them; a loop handing on the rest of
   * its work). Whoever settles a timed-out invocation (graceful-timeout) then waits for that answer
   * instead of replacing it, for as long as it can still be delivered before the hard deadline.
   */
  expectAnswer(): void {
    this.#answerExpected = true
  }

  // ---- shaping the cutoff ---------------------------------------------------------------------

  /**
   * Asks for `ms` of the invocation to be kept for cleanup after the cutoff. Several callers may
   * ask; the largest wins. Returns the reserve now in force.
   */
  reserve(ms: number): number {
    if (ms > this.#requestedReserveMs) {
      this.#requestedReserveMs = ms
      if (this.#timer !== undefined) this.#arm()
    }
    return this.reserveMs
  }

  /**
   * The invocation's signal: aborts at the cutoff with a `TimeoutError`-named reason, or when the
   * invocation ends with an `InvocationEndedError`. Created on first use. Taken once the cutoff's
   * time has come, it has aborted already, even if the cutoff's timer has not run (see
   * `cutoffReached`): taking it reaches the cutoff then.
   */
  get signal(): AbortSignal {
    this.#catchUp()
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#ended) this.#controller.abort(ended())
      else if (this.#cutoffReached) this.#controller.abort(this.#cutoffReason())
      else this.#arm()
    }
    return this.#controller.signal
  }

  /**
   * Runs `listener` once at the cutoff (synchronously, in registration order); at once if the
   * cutoff has come, even if its timer has not run (the listeners added before it run first).
   */
  onCutoff(listener: Listener): () => void {
    this.#catchUp()
    if (this.#ended) return noop
    if (this.#cutoffReached) {
      listener(this)
      return noop
    }
    this.#cutoffListeners ??= []
    this.#cutoffListeners.push(listener)
    this.#arm()
    return () => remove(this.#cutoffListeners, listener)
  }

  /** Runs `listener` once when the invocation ends, on every path. */
  onEnd(listener: Listener): () => void {
    if (this.#ended) {
      listener(this)
      return noop
    }
    this.#endListeners ??= []
    this.#endListeners.push(listener)
    return () => remove(this.#endListeners, listener)
  }

  // ---- sub-operations -------------------------------------------------------------------------

  /**
   * A signal for one sub-operation that aborts after `timeoutMs`, at the cutoff, or when `signal`
   * (the caller's own) aborts, whichever comes first, and never outlives the invocation. Dispose
   * it when the operation is done; `end()` disposes whatever is left.
   */
  scope(timeoutMs = Number.POSITIVE_INFINITY, signal?: AbortSignal): DeadlineScope {
    checkArgument(PACKAGE, 'timeoutMs', scopeTimeout, timeoutMs)
    checkArgument(PACKAGE, 'signal', abortSignal, signal)
    const controller = new AbortController()
    const limitMs = Math.min(timeoutMs, this.remaining())
    const over = this.#overBeforeStart(timeoutMs, limitMs, signal)
    if (over !== undefined) {
      controller.abort(over.reason)
      return { signal: controller.signal, dispose: noop, [Symbol.dispose]: noop }
    }
    let cancelTimer: (() => void) | undefined
    const dispose = () => {
      cancelTimer?.()
      signal?.removeEventListener('abort', onCallerAbort)
      this.#children?.delete(abort)
    }
    const abort = (reason: unknown) => {
      dispose()
      controller.abort(reason)
    }
    // Stryker disable next-line OptionalChaining: the listener is added only where there is a signal.
    const onCallerAbort = () => abort(signal?.reason)
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts once, and the abort removes the listener (dispose).
    signal?.addEventListener('abort', onCallerAbort, { once: true })
    this.#children ??= new Set()
    this.#children.add(abort)
    // The scope's own timer already fires no later than the cutoff as it stands now; the deadline
    // aborts its children itself if the cutoff moves earlier or the invocation ends first.
    if (Number.isFinite(limitMs)) {
      // When the cutoff is the tighter limit, this timer may fire a moment before the deadline's
      // own: it then reaches the cutoff for everyone, so that cutoff listeners (the timeout
      // record) still see this operation in flight instead of already failed.
      const cutoffIsTighter = limitMs < timeoutMs
      cancelTimer = scheduleAfter(limitMs, () => {
        if (cutoffIsTighter && this.#cutoffIsDue()) this.#onCutoffDue()
        if (!controller.signal.aborted) abort(this.#limitReason(timeoutMs, limitMs))
      })
    }
    return { signal: controller.signal, dispose, [Symbol.dispose]: dispose }
  }

  /** Shorthand for `scope(timeoutMs, signal).signal`, released at the end of the invocation. */
  timeout(timeoutMs?: number, signal?: AbortSignal): AbortSignal {
    return this.scope(timeoutMs, signal).signal
  }

  // ---- marks -----------------------------------------------------------------------------------

  /** Records a named point in time, for the timing logger and the timeout record. */
  mark(name: string): void {
    this[TIMELINE].mark(name)
  }

  /** The marks so far, `{ name, atMs }`, oldest first. */
  get marks(): readonly DeadlineMark[] {
    return this.#timeline?.marks ?? NO_MARKS
  }

  /** What happened when in this invocation (timeline.ts), made on first use. */
  get [TIMELINE](): Timeline {
    this.#timeline ??= new Timeline(this)
    return this.#timeline
  }

  // ---- the end --------------------------------------------------------------------------------

  /**
   * Ends the invocation's deadline: clears its timer, aborts its signal if the cutoff has not,
   * and runs the end listeners. Idempotent. The timeline (marks, phases) stays readable.
   */
  end(): void {
    if (this.#ended) return
    // A cutoff whose time came before the end (its timer kept from running by a blocked event loop)
    // came first: it stays reached, and what the end aborts says so. Its listeners do not run: they
    // act for an invocation that has not answered yet, and this one has.
    const cutoffCame = !this.#cutoffReached && this.#cutoffTimeHasCome()
    if (cutoffCame) {
      this.#cutoffReached = true
      this.#cutoffCameMono = this.#cutoffMono()
    }
    this.#ended = true
    this.#disarm()
    this.#cutoffListeners = undefined
    // Building an Error captures a stack: the most expensive thing an invocation would do here,
    // so the reason exists only when there is a signal or a scope to abort with it.
    if (this.#controller?.signal.aborted === false || this.#children !== undefined) {
      const reason = cutoffCame ? this.#cutoffReason() : ended()
      // A no-op on a signal that the cutoff already aborted.
      this.#controller?.abort(reason)
      this.#abortChildren(reason)
    }
    this.#timeline?.end()
    const listeners = this.#endListeners
    this.#endListeners = undefined
    if (listeners !== undefined) for (const listener of listeners) callSafely(listener, this, 'onEnd')
  }

  // ---- internals ------------------------------------------------------------------------------

  #cutoffMono(): number {
    return this.#hardMono - this.reserveMs
  }

  #arm(): void {
    if (this.#ended || this.#cutoffReached || this.status !== 'running') return
    this.#disarm()
    const delay = this.#cutoffMono() - monotonicNow()
    // The callback is made here, not once per deadline: most invocations never arm a timer. A
    // cutoff further away than a timer holds is reached in steps: #onTimer re-arms until it is due.
    this.#timer = setTimeout(() => this.#onTimer(), timerDelay(delay))
  }

  #disarm(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
  }

  #onTimer(): void {
    // Never after end(): it clears the timer, and #arm() refuses once ended.
    this.#timer = undefined
    if (this.#cutoffIsDue()) this.#onCutoffDue()
    else this.#arm()
  }

  #cutoffIsDue(): boolean {
    return this.#cutoffMono() - monotonicNow() <= TIMER_EARLY_TOLERANCE_MS
  }

  #onCutoffDue(): void {
    if (this.#ended || this.#cutoffReached) return
    // An early response from a later middleware skips our `after`: nothing told us the invocation
    // was over. Lambda may have frozen the process since; we must not act on a finished request.
    if (this.#isOver()) this.end()
    else this[REACH_CUTOFF]()
  }

  /**
   * Whether the invocation is over without having told us: an early response from a later
   * middleware skips our `after` (the `isOver` given, or the request's `earlyResponse`).
   */
  #isOver(): boolean {
    return this.#isOverGiven?.() ?? (this.#request !== undefined && 'earlyResponse' in this.#request)
  }

  /**
   * The cutoff's time has come, by the clock, on an invocation still running: what `cutoffReached`
   * adds to the cutoff reached by its timer. Decided by time rather than by the timer because a
   * timer cannot fire while synchronous work blocks the event loop: every reader in that moment
   * (a refused call, the timing record, a batch's abandoned items, graceful-timeout's recognition of
   * a timeout) must see the same answer, the one a timer on time would have given. Strictly by the
   * clock (remaining() is 0), without the timer's early tolerance: a read is never early. An
   * invocation already over (ended, or answered early) no longer moves on with the clock.
   */
  #cutoffTimeHasCome(): boolean {
    return !this.#ended && this.#cutoffIsPast() && !this.#isOver()
  }

  #cutoffIsPast(): boolean {
    return this.#cutoffMono() <= monotonicNow()
  }

  /**
   * Where a caller acts on the cutoff (takes the signal, adds a cutoff listener, opens a scope), a
   * cutoff whose time has come is acted on first, as its timer would have: reached (the signal
   * aborted, the listeners run in order), or, if the invocation was over, ended. Otherwise the
   * caller would get a live signal, or a listener left for a timer that may run only after the
   * invocation has answered, while `cutoffReached` says true. A plain read (`cutoffReached`,
   * `hasTimeFor`, `sinceCutoff`) stays a read.
   */
  #catchUp(): void {
    if (this.#cutoffIsPast()) this.#onCutoffDue()
  }

  /**
   * Acts as if the cutoff had come now: aborts the signal and runs the cutoff listeners. Used by
   * the timer, and by a middleware that learns of a timeout first (Middy's own early timeout),
   * through `reachCutoff(deadline)` of deadline/internal.
   */
  [REACH_CUTOFF](): void {
    if (this.#cutoffReached || this.#ended) return
    this.#cutoffReached = true
    this.#cutoffCameMono = Math.min(monotonicNow(), this.#cutoffMono())
    this.#disarm()
    const reason = this.#cutoffReason()
    this.#controller?.abort(reason)
    this.#abortChildren(reason)
    const listeners = this.#cutoffListeners
    this.#cutoffListeners = undefined
    if (listeners !== undefined) for (const listener of listeners) callSafely(listener, this, 'onCutoff')
  }

  #abortChildren(reason: unknown): void {
    const children = this.#children
    this.#children = undefined
    if (children !== undefined) for (const abort of [...children]) abort(reason)
  }

  /** Why a scope is over before it starts, if it is (the caller's abort keeps its own reason). */
  #overBeforeStart(timeoutMs: number, limitMs: number, signal: AbortSignal | undefined): { reason: unknown } | undefined {
    this.#catchUp()
    if (this.#ended) return { reason: ended() }
    if (this.#cutoffReached) return { reason: this.#cutoffReason() }
    if (signal?.aborted) return { reason: signal.reason }
    if (limitMs <= 0) return { reason: this.#limitReason(timeoutMs, limitMs) }
    return undefined
  }

  #cutoffReason(): DeadlineTimeoutError {
    return new DeadlineTimeoutError(
      `invocation cutoff reached after ${Math.round(this.elapsed())} ms (${this.reserveMs} ms before the hard deadline)`,
      'cutoff',
    )
  }

  #limitReason(timeoutMs: number, limitMs: number): DeadlineTimeoutError {
    return limitMs < timeoutMs
      ? new DeadlineTimeoutError(`no time left before the invocation cutoff (needed up to ${timeoutMs} ms)`, 'cutoff')
      : operationTimedOut(timeoutMs)
  }
}

// A scope's own limit: any number of milliseconds, Infinity (the default) for none; the timers
// cope with more than a Node timer holds.
const scopeTimeout = number(Number.POSITIVE_INFINITY, 0, Number.POSITIVE_INFINITY, 'a number of milliseconds')
const abortSignal = instance(AbortSignal, 'an AbortSignal')

// The end of an invocation is not a failure: the reason's stack would only point at our own
// `end()`, and capturing it would be most of what an invocation costs us (bench/micro.mjs,
// docs/performance.md, "Speed tricks").
const ended = (): InvocationEndedError => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return new InvocationEndedError('the invocation has ended')
  } finally {
    Error.stackTraceLimit = limit
  }
}
const noop = () => {}
const NO_MARKS: readonly DeadlineMark[] = Object.freeze([])

function remove<T>(list: T[] | undefined, item: T): void {
  if (list === undefined) return
  const index = list.indexOf(item)
  if (index !== -1) list.splice(index, 1)
}

type ListenerKind = 'onCutoff' | 'onEnd'

// Made once: a listener runs on every invocation (the timing logger's at the end).
const LISTENER_FAILED: Record<ListenerKind, (error: unknown) => void> = {
  onCutoff: warnOnFailure('listener:onCutoff', PACKAGE, 'a deadline onCutoff listener failed'),
  onEnd: warnOnFailure('listener:onEnd', PACKAGE, 'a deadline onEnd listener failed'),
}

function callSafely(listener: Listener, deadline: Deadline, kind: ListenerKind): void {
  // A listener belongs to some middleware; its failure must not stop the others, nor the process.
  callGuarded(listener, undefined, [deadline], LISTENER_FAILED[kind])
}

/** Acts as if the cutoff had come now (see `Deadline[REACH_CUTOFF]`): for our packages, not users. */
export function reachCutoff(deadline: Deadline): void {
  deadline[REACH_CUTOFF]()
}

/** The invocation's timeline: marks and the plugin's phases, for our packages' records. */
export function timelineOf(deadline: Deadline): Timeline {
  return deadline[TIMELINE]
}

const NO_ARGUMENTS: [] = []
// Lambda's request ids are UUIDs; a longer one comes from a fake context and is cut for the records.
const MAX_REQUEST_ID = 128

/**
 * The invocation's request id as the context gives it (Middy's durable context wraps Lambda's); ''
 * if none. Read with care (the context is the caller's, and may be a proxy that throws) and cut to
 * 128 characters.
 */
export function requestIdOf(context: LambdaContextLike | undefined): string {
  const id = readSafely(context, 'awsRequestId') ?? readSafely(readSafely(context, 'lambdaContext'), 'awsRequestId')
  return typeof id === 'string' ? clip(id, MAX_REQUEST_ID) : ''
}

type Problem = readonly [kind: 'missing' | 'threw' | 'not-a-number' | 'expired', detail: string]

/** The remaining time at the start, or what is wrong with it. */
function readRemaining(context: LambdaContextLike | undefined): number | Problem {
  // Read with care: a context is the caller's object, and may be a proxy that throws.
  const owner = typeof readSafely(context, 'getRemainingTimeInMillis') === 'function' ? context : readSafely(context, 'lambdaContext')
  const read = readSafely(owner, 'getRemainingTimeInMillis')
  if (typeof read !== 'function') return ['missing', 'the Lambda context has no getRemainingTimeInMillis()']
  const call = 'context.getRemainingTimeInMillis()'
  // Guarded here rather than through callGuarded, whose failure callback would be a closure made
  // on every invocation (bench/micro.mjs, "new Deadline({ context }) + end()").
  let value: unknown
  try {
    value = Reflect.apply(read as () => unknown, owner, NO_ARGUMENTS)
  } catch (error) {
    return ['threw', `${call} threw (${describeError(error)})`]
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    // Refused either way; a promise's rejection must still not end the process.
    onRejection(value, noop)
    return ['not-a-number', `${call} returned ${describeValue(value)}`]
  }
  return value > 0 ? value : ['expired', `${call} returned ${value} at the start of the invocation`]
}
