import { type Deadline, recordName, timelineOf } from '@middy-deadline/deadline/internal'

export interface PhaseTiming {
  /** The middleware function's name (`httpErrorHandlerOnError`), `handler`, or a coarse span. */
  name: string
  startMs: number
  durationMs: number
  /** Still running when the record was written (the `after` that ended the invocation). */
  open?: true
}

/** When our own middleware saw the chain, on the deadline's clock (ms since the start). */
export interface OwnMarks {
  beforeAtMs: number
  /** Our `after` or `onError` started, and when; undefined when an early response skipped it. */
  endStep: { step: 'after' | 'onError'; atMs: number } | undefined
}

export type TimingSource = 'plugin' | 'coarse'

/**
 * With `deadlinePlugin()`, every middleware and the handler is a phase of its own. Without it we
 * know only what our own middleware saw, so the chain is cut where we stood: what ran before our
 * `before` (other middlewares of ours placed first), everything inside us (later `before`s, the
 * handler, inner `after`s or `onError`s), and what ran after us until the invocation ended.
 */
export function phasesOf(deadline: Deadline, own: OwnMarks, endMs: number): { source: TimingSource; phases: PhaseTiming[] } {
  const recorded = timelineOf(deadline).phases
  if (recorded.length > 0) {
    const phases = recorded.map((phase): PhaseTiming => {
      const open = phase.durationMs === undefined
      const timing: PhaseTiming = {
        name: recordName(phase.name) || 'anonymous',
        startMs: round(phase.startMs),
        durationMs: round(open ? endMs - phase.startMs : (phase.durationMs as number)),
      }
      if (open) timing.open = true
      return timing
    })
    return { source: 'plugin', phases }
  }
  const phases: PhaseTiming[] = []
  const span = (name: string, from: number, to: number) => phases.push({ name, startMs: round(from), durationMs: round(to - from) })
  if (own.beforeAtMs > 0) span('outer-before', 0, own.beforeAtMs)
  const end = own.endStep
  span('inner', own.beforeAtMs, end?.atMs ?? endMs)
  if (end !== undefined) span(`outer-${end.step}`, end.atMs, endMs)
  return { source: 'coarse', phases }
}

/** Sums of the plugin's phases: the handler, and every middleware together. */
export function totalsOf(phases: readonly PhaseTiming[]): { handlerMs: number | undefined; middlewareMs: number } {
  let handlerMs: number | undefined
  let middlewareMs = 0
  for (const phase of phases) {
    if (phase.name === 'handler') handlerMs = (handlerMs ?? 0) + phase.durationMs
    else middlewareMs += phase.durationMs
  }
  return { handlerMs: handlerMs === undefined ? undefined : round(handlerMs), middlewareMs: round(middlewareMs) }
}

/** Microsecond precision: middlewares often take a few µs, and more digits are noise. */
export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
