import type { Deadline, DeadlineMark } from './deadline.js'
import { describeValue } from './internal/describe.js'
import { callGuarded } from './internal/guard.js'
import { PACKAGE } from './name.js'
import { warnOnFailure } from './warn-once.js'

/** One middleware or the handler, as the plugin recorded it. */
export interface DeadlinePhase {
  /** A middleware's function name (`gracefulTimeoutBefore`), or `handler`. */
  readonly name: string
  readonly startMs: number
  durationMs: number | undefined
}

/** What just changed: a new mark, or the open phase (entered or exited). */
export type DeadlineProgress = 'mark' | 'phase'
type ProgressListener = (timeline: Timeline, progress: DeadlineProgress) => void

/**
 * What happened when in one invocation: the marks (`deadline.mark(name)`) and the phases the plugin
 * records (each middleware and the handler), on the deadline's clock. The timing logger and the
 * timeout record read it, and the graceful-timeout watchdog follows it; the deadline itself keeps
 * only the time budget and the cancellation.
 */
export class Timeline {
  readonly #deadline: Deadline
  #marks: DeadlineMark[] | undefined
  #phases: DeadlinePhase[] | undefined
  /** When the phase just closed ended (0 before any phase): where a `continues` phase begins. */
  #closedAtMs: number | undefined = 0
  #progressListeners: ProgressListener[] | undefined

  constructor(deadline: Deadline) {
    this.#deadline = deadline
  }

  /** Records a named point in time. */
  mark(name: string): void {
    this.#marks ??= []
    this.#marks.push({ name: nameOf(name), atMs: this.#deadline.elapsed() })
    if (this.#progressListeners !== undefined) this.#progress('mark')
  }

  get marks(): readonly DeadlineMark[] {
    return this.#marks ?? EMPTY
  }

  /**
   * Called by the plugin hooks as a middleware or the handler starts. With `continues`, the phase
   * begins where the phase just closed ended (or at the start, if none was entered or closed yet)
   * instead of reading the clock again: for hooks that run back to back, as Middy's
   * `afterMiddleware` and next `beforeMiddleware` do, where the clock read is most of the cost
   * (with four middlewares and the plugin it pays: bench/overhead-paired.mjs, docs/performance.md,
   * "Speed tricks").
   */
  enterPhase(name: string, continues = false): void {
    const startMs = (continues ? this.#closedAtMs : undefined) ?? this.#deadline.elapsed()
    this.#closedAtMs = undefined
    this.#phases ??= []
    this.#phases.push({ name: nameOf(name), startMs, durationMs: undefined })
    if (this.#progressListeners !== undefined) this.#progress('phase')
  }

  /** Closes the most recent open phase called `name`. */
  exitPhase(name: string): void {
    this.#closedAtMs = undefined
    const phases = this.#phases
    if (phases === undefined) return
    const shown = nameOf(name)
    for (let i = phases.length - 1; i >= 0; i--) {
      const phase = phases[i] as DeadlinePhase
      if (phase.name === shown && phase.durationMs === undefined) {
        const endMs = this.#deadline.elapsed()
        phase.durationMs = endMs - phase.startMs
        this.#closedAtMs = endMs
        if (this.#progressListeners !== undefined) this.#progress('phase')
        return
      }
    }
  }

  get phases(): readonly DeadlinePhase[] {
    return this.#phases ?? EMPTY
  }

  /** The phase still open most recently entered: where the invocation is now. */
  get currentPhase(): string | undefined {
    return this.#phases?.findLast(isOpen)?.name
  }

  /**
   * Runs `listener` after every mark and phase change until the invocation ends: for a watcher
   * outside this thread (the graceful-timeout watchdog) that mirrors the last mark and the open
   * phase. Costs nothing while nobody listens.
   */
  onProgress(listener: ProgressListener): () => void {
    if (this.#deadline.ended) return noop
    this.#progressListeners ??= []
    this.#progressListeners.push(listener)
    return () => {
      const listeners = this.#progressListeners
      // Stryker disable next-line UnaryOperator: without listeners (after the end) nothing is spliced whatever the index.
      const index = listeners?.indexOf(listener) ?? -1
      // Stryker disable next-line OptionalChaining: an index other than -1 comes only from a list.
      if (index !== -1) listeners?.splice(index, 1)
    }
  }

  /** Called by the deadline as the invocation ends: no more progress to tell; the rest stays readable. */
  end(): void {
    this.#progressListeners = undefined
  }

  /** Tells the progress listeners; called only where there are some. */
  #progress(progress: DeadlineProgress): void {
    for (const listener of this.#progressListeners as ProgressListener[]) {
      // A listener belongs to some middleware; its failure must not stop the others, nor the process.
      callGuarded(listener, undefined, [this, progress], progressFailed)
    }
  }
}

// Middy hands the plugin a middleware's `name` as it is: a function's name can be redefined to
// anything. A phase is entered and closed under the same safe description.
const nameOf = (name: unknown): string => (typeof name === 'string' ? name : describeValue(name))

const EMPTY: readonly never[] = Object.freeze([])
const isOpen = (phase: DeadlinePhase) => phase.durationMs === undefined
const noop = () => {}
const progressFailed = warnOnFailure('listener:onProgress', PACKAGE, 'a deadline onProgress listener failed')
