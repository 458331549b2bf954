import { type Deadline, type DeadlineMark, describeError, type Timeline, timelineOf, warnOnce } from '@middy-deadline/deadline/internal'
import type { TimeoutWatchdog, WatchedInvocation } from './options.js'
import { LAYOUT, NUMBER_INDEX, regions } from './watchdog-layout.js'
import { watchdogSource } from './watchdog-worker.js'

// The name written out, not imported: a module this entry point shared with the main one would be
// split into a chunk, one more file every user of the main entry loads (bench/import-profile.mjs,
// docs/performance.md, "Speed tricks").
const PACKAGE = '@middy-deadline/graceful-timeout'

interface Shared {
  control: Int32Array
  nextWake: Float64Array
  states: Int32Array
  seqs: Int32Array
  lengths: Int32Array
  numbers: Float64Array
  /** Per slot and text field, a view to encode into: made once, so a mark costs no allocation. */
  textViews: Uint8Array[][]
  /**
   * Per slot, how many times it was claimed. Only this thread claims and releases slots, so a plain
   * array: an invocation acts on its slot only while the slot is still its own (see `claim`).
   */
  claims: Uint32Array
}

const S = LAYOUT.state
const N = LAYOUT.numbers.length
const FIELDS = ['requestId', 'mark', 'phase'] as const
const encoder = new TextEncoder()

// One watchdog per process, shared by every invocation and every middleware instance given it: a
// worker per invocation would cost a thread start-up each time. In multi-concurrency mode each
// runtime worker thread loads its own copy of this module, and so starts a watchdog of its own.
let shared: Shared | undefined
let unavailable = false

/**
 * The process's one watchdog thread, for `gracefulTimeout({ watchdog })`: writes the timeout record
 * when the event loop is blocked at the cutoff. Its own entry point because most functions never
 * need it: without this import, neither its code nor `node:worker_threads` is loaded. The thread
 * starts when a middleware is given it (on Lambda, during init), not on import.
 */
export const watchdog: TimeoutWatchdog = Object.freeze({
  watch,
  prepare: () => {
    running()
  },
})

/** The shared memory of the running watchdog, starting it if need be; `undefined` if it cannot run. */
const running = (): Shared | undefined => shared ?? start()

/**
 * Puts the invocation under the watchdog, starting the worker on first use. Returns `undefined`
 * (and the invocation simply goes unwatched) when the deadline enforces nothing, every slot is
 * taken, or the worker cannot start.
 */
function watch(deadline: Deadline): WatchedInvocation | undefined {
  if (deadline.status !== 'running') return undefined
  const memory = running()
  if (memory === undefined) return undefined
  const slot = claim(memory)
  if (slot === -1) {
    warnOnce('watchdog:full', PACKAGE, `more than ${LAYOUT.slots} invocations at once: the extra ones are not watched`)
    return undefined
  }
  const claimed = (memory.claims[slot] as number) + 1
  memory.claims[slot] = claimed
  const ours = () => memory.claims[slot] === claimed
  const at = slot * N
  const reserveMs = deadline.reserveMs
  // Stryker disable next-line ArithmeticOperator: equivalent, `startedAt` is the slot's first number (index 0)
  memory.numbers[at + NUMBER_INDEX.startedAt] = deadline.startedAt
  memory.numbers[at + NUMBER_INDEX.hardDeadlineAt] = deadline.hardDeadlineAt
  memory.numbers[at + NUMBER_INDEX.budgetMs] = deadline.budgetMs
  memory.numbers[at + NUMBER_INDEX.reserveMs] = reserveMs
  const checkMs = checkAt(deadline.cutoffAt, deadline.hardDeadlineAt, reserveMs)
  memory.numbers[at + NUMBER_INDEX.checkAt] = checkMs
  setText(memory, slot, 0, deadline.requestId)
  setText(memory, slot, 1, '')
  setText(memory, slot, 2, '')
  Atomics.store(memory.states, slot, S.armed)
  // The worker re-reads the slots whenever the generation moved since it last looked; it needs
  // waking only if it sleeps past this invocation's check.
  Atomics.add(memory.control, 0, 1)
  if (checkMs < (memory.nextWake[0] as number)) Atomics.notify(memory.control, 0)

  timelineOf(deadline).onProgress(publishProgress(memory, slot, ours))
  deadline.onEnd(() => {
    if (ours()) Atomics.store(memory.states, slot, S.free)
  })
  return {
    // A slot is taken over only once its hard deadline has passed, long after the worker's check:
    // the worker has written this invocation's record, and one record is enough.
    acknowledge: () => ours() && Atomics.compareExchange(memory.states, slot, S.armed, S.acknowledged) !== S.reported,
  }
}

/**
 * The worker looks a little after the cutoff (the main thread's timer may fire a few ms late on a
 * busy machine; we want one record, not two) and always well before the hard deadline.
 */
function checkAt(cutoffAt: number, hardDeadlineAt: number, reserveMs: number): number {
  return Math.min(cutoffAt + Math.min(100, reserveMs * 0.2), hardDeadlineAt - reserveMs * 0.5)
}

function publishProgress(memory: Shared, slot: number, ours: () => boolean) {
  return (timeline: Timeline, progress: 'mark' | 'phase') => {
    if (!ours()) return
    if (progress === 'mark') {
      // The timeline reports a mark right after it pushed one.
      const mark = timeline.marks[timeline.marks.length - 1] as DeadlineMark
      memory.numbers[slot * N + NUMBER_INDEX.markAtMs] = mark.atMs
      setText(memory, slot, 1, mark.name)
    } else {
      // A middleware function without a name opens a phase named '': the thread shows an empty
      // phase as `handler` (no plugin), so it gets the name the main thread's record gives it.
      const phase = timeline.currentPhase
      setText(memory, slot, 2, phase === '' ? 'anonymous' : (phase ?? ''))
    }
  }
}

function setText(memory: Shared, slot: number, field: 0 | 1 | 2, value: string): void {
  // A seqlock: odd while writing, so the worker never reads half a name.
  Atomics.add(memory.seqs, slot, 1)
  const { written } = encoder.encodeInto(value, memory.textViews[slot]?.[field] as Uint8Array)
  memory.lengths[slot * 3 + field] = written
  Atomics.add(memory.seqs, slot, 1)
}

/**
 * A free slot, or else the slot of an invocation whose hard deadline has passed without its end
 * being seen (stuck in a `before` that never settles, say): Lambda has timed it out, so there is
 * nothing left to watch, and without this its slot would be lost to the process for good. Its
 * invocation, should it go on, no longer touches the slot: `claims` tells it the slot moved on.
 */
function claim(memory: Shared): number {
  for (let slot = 0; slot < LAYOUT.slots; slot++) {
    if (Atomics.compareExchange(memory.states, slot, S.free, S.claiming) === S.free) return slot
  }
  const now = Date.now()
  for (let slot = 0; slot < LAYOUT.slots; slot++) {
    const state = Atomics.load(memory.states, slot)
    if (state === S.claiming || !((memory.numbers[slot * N + NUMBER_INDEX.hardDeadlineAt] as number) < now)) continue
    // The worker may be turning `armed` into `reported` right now: take the slot only as it was seen.
    /* v8 ignore next -- losing that race needs the worker to act between two instructions of this thread */
    if (Atomics.compareExchange(memory.states, slot, state, S.claiming) === state) return slot
  }
  return -1
}

function start(): Shared | undefined {
  if (unavailable) return undefined
  const layout = regions(LAYOUT.slots)
  const buffer = new SharedArrayBuffer(layout.size)
  try {
    // node:worker_threads is taken from the process when the thread starts, not imported: an ESM
    // import builds its facade at import, most of what importing the module costs (docs/performance.md,
    // "Cold start"). Before Node 22.3 there is no process.getBuiltinModule: the thread does not
    // start, and says so below.
    const { Worker } = process.getBuiltinModule('node:worker_threads')
    const worker = new Worker(watchdogSource(), { eval: true, workerData: { buffer, fd: 1 }, stdout: false, stderr: false })
    // The watchdog must never keep the process alive, nor take it down.
    worker.unref()
    worker.on('error', (error) => {
      unavailable = true
      shared = undefined
      warnOnce('watchdog:error', PACKAGE, 'the watchdog thread failed; invocations are no longer watched', { error: describeError(error) })
    })
  } catch (error) {
    unavailable = true
    warnOnce('watchdog:start', PACKAGE, 'the watchdog thread could not start; invocations are not watched', { error: describeError(error) })
    return undefined
  }
  const text = new Uint8Array(buffer, layout.text, LAYOUT.slots * LAYOUT.textBytes)
  const textViews = Array.from({ length: LAYOUT.slots }, (_, slot) =>
    FIELDS.map((field) => {
      const [offset, capacity] = LAYOUT.text[field]
      const start = slot * LAYOUT.textBytes + offset
      return text.subarray(start, start + capacity)
    }),
  )
  const nextWake = new Float64Array(buffer, layout.nextWake, 1)
  nextWake[0] = Number.POSITIVE_INFINITY
  shared = {
    control: new Int32Array(buffer, layout.control, 1),
    nextWake,
    states: new Int32Array(buffer, layout.states, LAYOUT.slots),
    seqs: new Int32Array(buffer, layout.seqs, LAYOUT.slots),
    lengths: new Int32Array(buffer, layout.lengths, LAYOUT.slots * 3),
    numbers: new Float64Array(buffer, layout.numbers, LAYOUT.slots * N),
    textViews,
    claims: new Uint32Array(LAYOUT.slots),
  }
  return shared
}
