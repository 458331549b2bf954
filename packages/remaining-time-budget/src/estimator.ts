import { checkOptions, DeadlineOptionError, integer, number } from '@middy-deadline/deadline/internal'
import { PACKAGE } from './options.js'

/**
 * How long one item of a workload takes, learned from the items that finished in this process.
 *
 * Deliberately long-lived (module scope, or a batch helper's factory): the durations describe the
 * workload, not one invocation, and a warm Lambda process sees many invocations of the same
 * workload. Nothing in it belongs to an invocation, so concurrent invocations may share it.
 * A high percentile, not the mean: the point is to not start an item that is likely to overrun,
 * and one slow item in ten is exactly the one that gets killed.
 */
export interface DurationEstimator {
  /** Records how long one finished item took (ms). */
  record(durationMs: number): void
  /** The learned duration (ms), or `undefined` until enough items finished. */
  estimate(): number | undefined
  /** How many durations are in the window now. */
  readonly samples: number
}

export interface DurationEstimatorOptions {
  /** How many recent durations to keep (a ring): the workload may change over the process's life. */
  windowSize: number
  /** Which percentile of the window to return, in (0, 1]. */
  percentile: number
  /** How many durations are needed before the estimate is trusted. */
  minSamples: number
}

// The window is sorted for every decision: a thousand durations is already a long memory.
const MAX_WINDOW = 1000

const OPTIONS = {
  windowSize: integer(64, 1, MAX_WINDOW),
  percentile: number(0.9, 0, 1, 'a number', false, true),
  minSamples: integer(3, 1, MAX_WINDOW),
}

export function createDurationEstimator(options: Partial<DurationEstimatorOptions> = {}): DurationEstimator {
  const { windowSize, percentile, minSamples } = checkOptions(PACKAGE, OPTIONS, options)
  if (minSamples > windowSize)
    throw new DeadlineOptionError(PACKAGE, 'minSamples', `must not exceed windowSize (${windowSize}), got ${minSamples}`)

  const ring = new Float64Array(windowSize)
  let count = 0
  let next = 0

  return {
    record(durationMs) {
      if (!Number.isFinite(durationMs) || durationMs < 0) return
      ring[next] = durationMs
      next = (next + 1) % windowSize
      if (count < windowSize) count++
    },
    estimate() {
      if (count < minSamples) return undefined
      // Nearest-rank percentile; sorting at most `windowSize` numbers per decision is cheap next
      // to the work items it guards.
      const sorted = ring.slice(0, count).sort()
      const rank = Math.min(count - 1, Math.ceil(percentile * count) - 1)
      return sorted[rank]
    },
    get samples() {
      return count
    },
  }
}
