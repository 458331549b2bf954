import type { DeadlineMark } from '../deadline.js'
import { clip, redactUrls } from './describe.js'

/**
 * What one record shows at most, so that it stays far below the line bound (`MAX_LINE_BYTES`)
 * before the bound has to cut anything: an invocation may mark in a loop, or name a mark after a
 * payload.
 */
export const RECORD_LIMITS = {
  /** Marks: the last ones, where the invocation was heading when the record was written. */
  marks: 100,
  /** Phases (middlewares and the handler): the first ones, in the order the chain ran them. */
  phases: 100,
  /** Outbound calls still running. */
  pending: 20,
  /** Characters of one name (a mark, a phase, a call's label or target). */
  name: 200,
} as const

/** The marks a record shows, names clipped, times rounded by `round`; `dropped` counts the rest. */
export function recordMarks(marks: readonly DeadlineMark[], round: (ms: number) => number): { marks: DeadlineMark[]; dropped: number } {
  // A list of at most `marks` is kept whole by the same slice.
  const kept = marks.slice(-RECORD_LIMITS.marks)
  return {
    marks: kept.map((mark) => ({ name: shown(mark.name), atMs: round(mark.atMs) })),
    dropped: marks.length - kept.length,
  }
}

/**
 * A name as a record shows it: a string is cut to `RECORD_LIMITS.name` characters, a URL in it
 * loses its credentials, query string and fragment; anything else is left out.
 */
export function recordName(name: unknown): string | undefined {
  return typeof name === 'string' ? shown(name) : undefined
}

// Most names hold no URL: the pattern runs only on those that may.
// Stryker disable next-line StringLiteral: the pattern matches only text with `://`, so running it on every name changes only the cost.
const shown = (name: string) => clip(name.includes('://') ? redactUrls(name) : name, RECORD_LIMITS.name)
