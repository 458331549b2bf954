import { AsyncLocalStorage } from 'node:async_hooks'
import fs from 'node:fs'

/**
 * What the matrix sees of an invocation from outside: the lines our packages write to stdout (the
 * timing record, the timeout record), the `onTimeout` hook calls, how often each function of our
 * middlewares ran, and every timer our packages armed for it. Each sighting gets a sequence number,
 * so "after the invocation ended" is an order, not a guess about clocks.
 *
 * Cells run concurrently in one process, so everything is filed by cell: records by their
 * `requestId` (one per cell), timers by the async context they were armed in.
 */

export interface Sighting {
  readonly seq: number
  readonly atMs: number
  readonly data: Record<string, unknown>
}

export interface ArmedTimer {
  readonly stack: string
  state: 'armed' | 'fired' | 'cleared'
}

export interface CellLog {
  readonly requestId: string
  readonly timing: Sighting[]
  readonly timeout: Sighting[]
  readonly hooks: Sighting[]
  /** `gracefulTimeoutBefore` → how many times it ran. */
  readonly calls: Map<string, number>
  readonly timers: ArmedTimer[]
}

let seq = 0
export const nextSeq = () => ++seq

const logs = new Map<string, CellLog>()
const cellStore = new AsyncLocalStorage<CellLog>()

export function openLog(requestId: string): CellLog {
  const log: CellLog = { requestId, timing: [], timeout: [], hooks: [], calls: new Map(), timers: [] }
  logs.set(requestId, log)
  return log
}

export function closeLog(requestId: string): void {
  logs.delete(requestId)
}

/** Runs `fn` as the cell's own async flow: timers armed in it are filed under the cell. */
export const inCell = <T>(log: CellLog, fn: () => T): T => cellStore.run(log, fn)

export function sawHook(requestId: string): void {
  logs.get(requestId)?.hooks.push({ seq: nextSeq(), atMs: performance.now(), data: {} })
}

export function sawCall(log: CellLog, name: string): void {
  log.calls.set(name, (log.calls.get(name) ?? 0) + 1)
}

function fileLine(line: string): void {
  if (!line.startsWith('{')) return
  let data: Record<string, unknown>
  try {
    data = JSON.parse(line)
  } catch {
    return
  }
  const log = typeof data.requestId === 'string' ? logs.get(data.requestId) : undefined
  if (log === undefined) return
  const sighting = { seq: nextSeq(), atMs: performance.now(), data }
  if (data.package === '@middy-deadline/graceful-timeout' && data.level === 'ERROR') log.timeout.push(sighting)
  else if (typeof data.timingSource === 'string') log.timing.push(sighting)
}

/**
 * The file and line that called the global timer function: the raw call sites, without formatting a
 * stack (vitest maps formatted stacks back to the sources, which costs a millisecond a timer).
 */
function callerFile(): string {
  const prepare = Error.prepareStackTrace
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 3
  Error.prepareStackTrace = (_error, sites) => sites
  try {
    const holder: { stack?: NodeJS.CallSite[] } = {}
    Error.captureStackTrace(holder, callerFile)
    // [0] the wrapper, [1] whoever called the timer function.
    const site = holder.stack?.[1]
    return site === undefined ? '' : `${site.getFileName() ?? ''}:${site.getLineNumber() ?? ''}`
  } finally {
    Error.prepareStackTrace = prepare
    Error.stackTraceLimit = limit
  }
}

// Our packages' sources, as vitest loads them: a timer armed from one of these is ours.
const OUR_SOURCE = /\/packages\/(deadline|graceful-timeout|remaining-time-budget|outbound-fetch-timeout|timing-logger)\/src\//

/**
 * Starts watching: stdout (both ways our packages write it: `process.stdout.write`, and
 * `fs.writeSync(1)` when stdout is a pipe, as under vitest) and the global timer functions our
 * packages call. Returns the function that stops watching.
 *
 * Timers are caught at the global `setTimeout`/`setImmediate` our sources call (Middy and Node's
 * `timers/promises` keep their own references and are not ours anyway); one armed from our sources
 * in a cell's async flow is filed under the cell, and followed until it fires or is cleared.
 */
export function watch(): () => void {
  const writeSync = fs.writeSync
  const write = process.stdout.write
  let pending = ''
  const take = (text: string) => {
    pending += text
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) fileLine(line)
  }
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    take(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
    callback?.()
    return true
  }) as typeof process.stdout.write
  fs.writeSync = ((fd: number, data: string | Uint8Array, ...rest: unknown[]) => {
    if (fd !== 1) return (writeSync as (...args: unknown[]) => number)(fd, data, ...rest)
    const offset = typeof rest[0] === 'number' ? rest[0] : 0
    const text = typeof data === 'string' ? data : Buffer.from(data).subarray(offset).toString()
    take(text)
    return typeof data === 'string' ? Buffer.byteLength(data) : data.length - offset
  }) as typeof fs.writeSync

  const timers = new WeakMap<object, ArmedTimer>()
  const originals = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setImmediate: globalThis.setImmediate,
    clearImmediate: globalThis.clearImmediate,
  }
  const arm = <A extends unknown[]>(
    original: (fn: (...args: A) => void, ...rest: never[]) => object,
  ): ((fn: (...args: A) => void, ...rest: unknown[]) => object) =>
    function armed(fn, ...rest) {
      const log = cellStore.getStore()
      const caller = log === undefined ? '' : callerFile()
      if (log === undefined || !OUR_SOURCE.test(caller)) return original(fn, ...(rest as never[]))
      const entry: ArmedTimer = { stack: caller, state: 'armed' }
      log.timers.push(entry)
      const handle = original(
        (...args: A) => {
          entry.state = 'fired'
          fn(...args)
        },
        ...(rest as never[]),
      )
      timers.set(handle, entry)
      return handle
    }
  const disarm =
    (original: (handle: never) => void) =>
    (handle: unknown): void => {
      const entry = typeof handle === 'object' && handle !== null ? timers.get(handle) : undefined
      if (entry?.state === 'armed') entry.state = 'cleared'
      original(handle as never)
    }
  Object.assign(globalThis, {
    setTimeout: arm(originals.setTimeout as never),
    clearTimeout: disarm(originals.clearTimeout as never),
    setImmediate: arm(originals.setImmediate as never),
    clearImmediate: disarm(originals.clearImmediate as never),
  })
  return () => {
    Object.assign(globalThis, originals)
    fs.writeSync = writeSync
    process.stdout.write = write
  }
}

/**
 * How late the event loop ran, over time: a 5 ms interval timer notes how much later than due each
 * tick came. A cell's timing invariants hold on a machine that runs its timers roughly on time; the
 * matrix asks how late the loop was while a cell ran before it blames the cell for a late answer.
 */
export function lagSampler(): { maxLagMs(fromMs: number, toMs: number): number; stop(): void } {
  const PERIOD_MS = 5
  const at: number[] = []
  const lag: number[] = []
  let due = performance.now() + PERIOD_MS
  const timer = setInterval(() => {
    const now = performance.now()
    at.push(now)
    lag.push(Math.max(0, now - due))
    due = now + PERIOD_MS
  }, PERIOD_MS)
  return {
    maxLagMs(fromMs, toMs) {
      let max = 0
      // A tick that came late covers the time before it: the one after the window counts too.
      for (let i = 0; i < at.length; i++) if ((at[i] as number) >= fromMs && (at[i - 1] ?? 0) <= toMs) max = Math.max(max, lag[i] as number)
      return max
    },
    stop: () => clearInterval(timer),
  }
}
