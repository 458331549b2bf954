import type { ExceptionRow, Invariant } from './exceptions.js'
import type { Answer, Expected } from './expect.js'
import type { Observation } from './run.js'

/**
 * The invariants every cell is held to, written once. Each returns `undefined` when it holds, or
 * what it saw. Where a documented exception applies, the cell is held to the exception instead
 * (`instead`, in the invariant's syntax), and the rule must then NOT hold: an exception that no
 * longer happens is a stale row.
 */

const MIDDY_DEFAULT_EARLY_MS = 5

type Check = (observation: Observation, expected: Expected, instead: readonly string[] | undefined) => string | undefined

const describeSettled = (o: Observation) => {
  const s = o.settled
  if (s === undefined) return 'never settled'
  const value = s.value as { name?: unknown; statusCode?: unknown; batchItemFailures?: unknown } | undefined
  if (!s.ok) return `failed with ${String(value?.name)}`
  if (o.streamed !== undefined) return `streamed status ${o.streamed.statusCode} body ${JSON.stringify(o.streamed.body)}`
  if (Array.isArray(value?.batchItemFailures))
    return `partial [${(value.batchItemFailures as { itemIdentifier: string }[]).map((f) => f.itemIdentifier).join(' ')}]`
  return `answered status ${String(value?.statusCode)}`
}

function answerMatches(o: Observation, answer: Answer): boolean {
  const s = o.settled
  if (s === undefined) return false
  const value = s.value as { name?: unknown; statusCode?: unknown; batchItemFailures?: { itemIdentifier: string }[] } | undefined
  switch (answer.kind) {
    case 'error':
      return !s.ok && value?.name === answer.name
    case 'status':
      return s.ok && (o.streamed === undefined ? value?.statusCode === answer.statusCode : o.streamed.statusCode === answer.statusCode)
    case 'partial': {
      if (!s.ok || !Array.isArray(value?.batchItemFailures)) return false
      const got = value.batchItemFailures.map((failure) => failure.itemIdentifier).sort()
      return got.join(' ') === [...answer.failures].sort().join(' ')
    }
  }
}

function parseAnswer(words: readonly string[]): Answer {
  const [kind, ...rest] = words
  if (kind === 'status') return { kind, statusCode: Number(rest[0]) }
  if (kind === 'error') return { kind, name: rest[0] as string }
  if (kind === 'partial') return { kind, failures: rest }
  throw new Error(`unknown answer: ${words.join(' ')}`)
}

const describeAnswer = (answer: Answer) =>
  answer.kind === 'status'
    ? `status ${answer.statusCode}`
    : answer.kind === 'error'
      ? `error ${answer.name}`
      : `partial [${answer.failures.join(' ')}]`

const recordOf = (o: Observation) => o.log.timing.map((s) => `${String(s.data.outcome)}/${String(s.data.errorName ?? '-')}`)

const afterEnd = (o: Observation) => {
  const end = o.settled?.seq ?? Number.POSITIVE_INFINITY
  const late: string[] = []
  if (o.log.timing.some((s) => s.seq > end)) late.push('record')
  if (o.log.timeout.some((s) => s.seq > end)) late.push('timeout-record')
  if (o.log.hooks.some((s) => s.seq > end)) late.push('hook')
  return late
}

export const CHECKS: Record<Invariant, Check> = {
  answer(o, expected, instead) {
    const want = instead === undefined ? expected.answer : parseAnswer(instead)
    return answerMatches(o, want) ? undefined : `expected ${describeAnswer(want)}, got ${describeSettled(o)}`
  },
  'in-time'(o, _expected, instead) {
    const s = o.settled
    if (s === undefined) return 'never settled'
    if (instead?.[0] === 'middy-early')
      // Settled by Middy's own early timeout, its default 5 ms before the hard deadline: a timer
      // never fires early by more than a millisecond, only late.
      return s.beforeHardMs <= MIDDY_DEFAULT_EARLY_MS + 1
        ? undefined
        : `settled ${s.beforeHardMs.toFixed(1)} ms before the hard deadline, not by Middy's early timeout`
    if (instead !== undefined) throw new Error(`in-time: unknown exception ${instead.join(' ')}`)
    // Before the hard deadline, or, on an event loop running late (a loaded machine: 300-450 ms was
    // seen), answered from a timer due before it: ahead of the harness's timer due at the hard
    // deadline. An answer planned for after the hard deadline comes after that timer however late
    // the loop runs.
    if (s.beforeHardMs > 0 || s.beforeHardTimer) return undefined
    return `settled ${(-s.beforeHardMs).toFixed(1)} ms after the hard deadline (after a timer due at it)`
  },
  record(o, expected, instead) {
    const want =
      instead === undefined
        ? [`${expected.record.outcome}/${expected.record.errorName ?? '-'}`]
        : instead[0] === 'none'
          ? []
          : [instead.join('/')]
    const got = recordOf(o)
    return got.join(',') === want.join(',') ? undefined : `expected timing records [${want.join(', ')}], got [${got.join(', ')}]`
  },
  cutoff(o, expected, instead) {
    const want = instead === undefined ? (expected.cutoffActs ? 1 : 0) : Number(instead[0])
    const records = o.log.timeout.length
    const hooks = o.log.hooks.length
    return records === want && hooks === want
      ? undefined
      : `expected ${want} timeout record(s) and hook call(s), got ${records} and ${hooks}`
  },
  released(o, _expected, instead) {
    const open = !o.deadlineEnded || o.armedAfterEnd.length > 0
    if (instead !== undefined) return open ? undefined : 'the deadline was released, though documented as left open'
    if (!open) return undefined
    const timers = o.armedAfterEnd.map((timer) => timer.stack.trim().split('\n')[0]?.trim()).join('; ')
    return `after the invocation: deadline ${o.deadlineEnded ? 'ended' : 'still open'}, ${o.armedAfterEnd.length} timer(s) of ours armed${timers ? ` (${timers})` : ''}`
  },
  'quiet-after-end'(o, _expected, instead) {
    const late = afterEnd(o)
    const want = instead ?? []
    return late.join(',') === [...want].sort().join(',') || (want.length > 0 && late.length > 0 && late.every((l) => want.includes(l)))
      ? undefined
      : `after the invocation ended: [${late.join(', ')}]${want.length > 0 ? `, documented: [${want.join(', ')}]` : ''}`
  },
}

/** Every function of our middlewares ran at most once. Never excepted. */
export function ranOnce(o: Observation): string | undefined {
  const twice = [...o.log.calls].filter(([, count]) => count > 1)
  return twice.length === 0 ? undefined : `ran more than once: ${twice.map(([name, count]) => `${name} ×${count}`).join(', ')}`
}

// Invariants whose exception replaces the rule outright: a cell keeping the rule there means the
// row is stale. The others' exceptions say what may happen (timing), not what must.
const STRICT = new Set<Invariant>(['answer', 'record', 'cutoff'])

/** The violations of one cell, each prefixed with its invariant; rows that are stale too. */
export function violations(o: Observation, expected: Expected, rows: readonly ExceptionRow[]): string[] {
  const found: string[] = []
  const once = ranOnce(o)
  if (once !== undefined) found.push(`once: ${once}`)
  for (const [invariant, check] of Object.entries(CHECKS) as [Invariant, Check][]) {
    const row = rows.find((r) => r.invariant === invariant)
    const problem = check(o, expected, row?.instead)
    if (problem !== undefined) found.push(`${invariant}: ${problem}${row ? ` (documented at ${row.source})` : ''}`)
    else if (row !== undefined && STRICT.has(invariant) && check(o, expected, undefined) === undefined)
      found.push(`${invariant}: the documented exception at ${row.source} no longer happens (the rule holds): remove the row`)
  }
  return found
}
