import { PassThrough } from 'node:stream'
import { setTimeout as delay, setImmediate as turn } from 'node:timers/promises'
import type { DeadlineContext } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'
import type { Cell } from './cells.js'
import { buildChain, eventFor, TIMEOUT_MS } from './chain.js'
import { type ArmedTimer, type CellLog, closeLog, inCell, nextSeq, openLog } from './observe.js'

export interface Settled {
  readonly ok: boolean
  readonly value: unknown
  readonly seq: number
  /** Milliseconds left before the hard deadline when the invocation settled (negative: after it). */
  readonly beforeHardMs: number
  /**
   * Settled before the harness's timer due at the hard deadline fired: armed as the cell starts, in a
   * timer list of its own (a duration no other timer has), so that on an event loop running late
   * every timer of the cell due before the hard deadline, and whatever they settle through promises,
   * still comes first (Node runs due timers list by list, in the order they are due).
   */
  readonly beforeHardTimer: boolean
}

export interface Observation {
  readonly cell: Cell
  readonly names: readonly string[]
  readonly log: CellLog
  /** `undefined`: the invocation had not settled well after its hard deadline. */
  readonly settled: Settled | undefined
  /** For response streaming: the status of the prelude, if one was written, and the body. */
  readonly streamed: { statusCode: number | undefined; body: string } | undefined
  readonly deadlineEnded: boolean
  /** When the invocation started and settled (or was given up on), on `performance.now()`. */
  readonly window: { readonly fromMs: number; readonly toMs: number }
  /** Our timers still armed once the invocation had settled (and one turn of the event loop). */
  readonly armedAfterEnd: readonly ArmedTimer[]
  /** Stops the cell's stuck work and forgets the cell; call once every check is done. */
  readonly dispose: () => void
}

// How long past the hard deadline a cell may take to settle before it counts as never settled:
// Lambda would have killed it, and the answer invariant then fails with that.
const NEVER_MS = 1500

let cells = 0

/** Runs one invocation of the cell's chain, the way Lambda would, and watches it. */
export async function runCell(cell: Cell): Promise<Observation> {
  const requestId = `cell-${++cells}`
  const log = openLog(requestId)
  const stuck = new AbortController()
  const { handler, names } = await buildChain(cell, log, stuck)
  const context = createLambdaContext<DeadlineContext>({ timeoutMs: TIMEOUT_MS, awsRequestId: requestId })
  const startedAt = performance.now()
  const hardAt = startedAt + TIMEOUT_MS
  const stream = cell.path.startsWith('stream-') ? streamSink() : undefined

  let hardTimerFired = false
  // A fraction of a ms of its own per cell: Node files timers by duration, and a list shared with
  // another cell's timer due earlier would run this one early too, before timers due before it.
  const hardTimer = setTimeout(
    () => {
      hardTimerFired = true
    },
    TIMEOUT_MS + (cells % 1000) / 1000 + 0.0005,
  )

  let settled: Settled | undefined
  const settle = (ok: boolean, value: unknown) => {
    settled = { ok, value, seq: nextSeq(), beforeHardMs: hardAt - performance.now(), beforeHardTimer: !hardTimerFired }
  }
  const run = inCell(log, () =>
    Promise.resolve()
      .then(() => (stream === undefined ? handler(eventFor(cell), context) : handler(eventFor(cell), stream.sink, context)))
      .then(
        (value) => settle(true, value),
        (error: unknown) => settle(false, error),
      ),
  )
  const cap = new AbortController()
  await Promise.race([run, delay(TIMEOUT_MS + NEVER_MS, undefined, { signal: cap.signal }).catch(() => {})])
  cap.abort()
  clearTimeout(hardTimer)
  const endedAt = performance.now()
  // One full turn: whatever the end of the invocation released is released by now.
  await turn()
  const deadline = (context as Partial<DeadlineContext>).deadline
  return {
    cell,
    names,
    log,
    settled,
    streamed: stream?.result(),
    deadlineEnded: deadline?.ended ?? false,
    window: { fromMs: startedAt, toMs: endedAt },
    armedAfterEnd: log.timers.filter((timer) => timer.state === 'armed'),
    dispose: () => {
      stuck.abort()
      closeLog(requestId)
    },
  }
}

/** A response stream as Lambda's runtime hands it over, with the prelude Middy writes for HTTP. */
function streamSink() {
  const sink = new PassThrough() as PassThrough & { prelude?: { statusCode?: number } }
  const chunks: string[] = []
  sink.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
  return { sink, result: () => ({ statusCode: sink.prelude?.statusCode, body: chunks.join('') }) }
}

/** Lambda's `awslambda` global as far as response streaming needs it (merged into any already there). */
export function installStreamingRuntime(): () => void {
  const globals = globalThis as { awslambda?: Record<string, unknown> }
  const before = globals.awslambda
  globals.awslambda = {
    ...before,
    streamifyResponse: <T>(fn: T) => fn,
    HttpResponseStream: {
      from: (stream: PassThrough & { prelude?: unknown }, prelude: unknown) => {
        stream.prelude = prelude
        return stream
      },
    },
  }
  return () => {
    if (before === undefined) delete globals.awslambda
    else globals.awslambda = before
  }
}
