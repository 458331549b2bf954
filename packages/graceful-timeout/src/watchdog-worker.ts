import { LAYOUT, NUMBER_INDEX, regions } from './watchdog-layout.js'

/**
 * The watchdog thread's source. A string evaluated by `new Worker(source, { eval: true })`: no
 * separate file to ship, so it survives bundling. It sleeps on the shared memory until the next
 * check is due, and for every invocation whose cutoff passed without the main thread taking over,
 * writes the timeout record straight to the file descriptor (the main thread may be blocked, and
 * a worker's `process.stdout` goes through the main thread).
 */
export function watchdogSource(): string {
  const layout = JSON.stringify({ ...LAYOUT, regions: regions(LAYOUT.slots), index: NUMBER_INDEX })
  return `'use strict'
const { workerData } = require('node:worker_threads')
const fs = require('node:fs')
const L = ${layout}
const R = L.regions
const sab = workerData.buffer
const fd = workerData.fd
const control = new Int32Array(sab, R.control, 1)
const nextWake = new Float64Array(sab, R.nextWake, 1)
const states = new Int32Array(sab, R.states, L.slots)
const seqs = new Int32Array(sab, R.seqs, L.slots)
const lengths = new Int32Array(sab, R.lengths, L.slots * 3)
const numbers = new Float64Array(sab, R.numbers, L.slots * L.numbers.length)
const text = new Uint8Array(sab, R.text, L.slots * L.textBytes)
const decoder = new TextDecoder()
const N = L.numbers.length
const num = (slot, name) => numbers[slot * N + L.index[name]]
const str = (slot, field, which) => {
  const [offset] = L.text[field]
  const start = slot * L.textBytes + offset
  return decoder.decode(text.slice(start, start + lengths[slot * 3 + which]))
}
function snapshot(slot) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = Atomics.load(seqs, slot)
    const taken = { requestId: str(slot, 'requestId', 0), mark: str(slot, 'mark', 1), phase: str(slot, 'phase', 2), markAtMs: num(slot, 'markAtMs') }
    /* v8 ignore next -- a retry needs the main thread writing a name during this read: no test can time that */
    if (before % 2 === 0 && Atomics.load(seqs, slot) === before) return taken
  }
  /* v8 ignore next -- five such races in a row */
  return { requestId: str(slot, 'requestId', 0), mark: '', phase: '', markAtMs: 0 }
}
function write(line) {
  const bytes = Buffer.from(line)
  let offset = 0
  /* v8 ignore next -- a pipe full for 1000 attempts, or an fd 1 that fails otherwise: Lambda's runtime drains stdout */
  for (let attempt = 0; offset < bytes.length && attempt < 1000; attempt++) {
    try { offset += fs.writeSync(fd, bytes, offset) } catch (error) { if (error.code !== 'EAGAIN') return }
  }
}
function report(slot, now) {
  const s = snapshot(slot)
  const elapsedMs = Math.round(now - num(slot, 'startedAt'))
  const remainingMs = Math.round(num(slot, 'hardDeadlineAt') - now)
  const phase = s.phase || 'handler'
  // The line starts with a newline of its own: the blocked main thread may have left half a line
  // in the pipe (stdout full, the rest queued in a stream that cannot run), and this thread cannot
  // see whether it did. An empty line at worst; never a record glued to someone else's line.
  write('\\n' + JSON.stringify({
    timestamp: new Date(now).toISOString(),
    level: 'ERROR',
    message: 'Invocation passed its cutoff with the event loop blocked after ' + elapsedMs + ' ms, ' + remainingMs + ' ms before the hard timeout, in ' + phase + ' (written by the watchdog thread)',
    package: '@middy-deadline/graceful-timeout',
    source: 'watchdog',
    trigger: 'cutoff',
    requestId: s.requestId,
    budgetMs: Math.round(num(slot, 'budgetMs')),
    reserveMs: num(slot, 'reserveMs'),
    elapsedMs,
    remainingMs,
    phase,
    marks: s.mark ? [{ name: s.mark, atMs: Math.round(s.markAtMs) }] : [],
  }) + '\\n')
}
for (;;) {
  const generation = Atomics.load(control, 0)
  const now = Date.now()
  let next = Infinity
  for (let slot = 0; slot < L.slots; slot++) {
    if (Atomics.load(states, slot) !== L.state.armed) continue
    const checkAt = num(slot, 'checkAt')
    if (now >= checkAt) {
      /* v8 ignore next -- the main thread acknowledging between this thread's load and its exchange */
      if (Atomics.compareExchange(states, slot, L.state.armed, L.state.reported) === L.state.armed) report(slot, now)
    } else if (checkAt < next) next = checkAt
  }
  nextWake[0] = next
  Atomics.wait(control, 0, generation, next === Infinity ? Infinity : Math.max(1, next - Date.now()))
}
`
}
