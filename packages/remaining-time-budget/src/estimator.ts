import { DeadlineOptionError } from '@middy-deadline/deadline'

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

export const estimatorDefaults: DurationEstimatorOptions = { windowSize: 64, percentile: 0.9, minSamples: 3 }

const fail = (option: string, problem: string): never => {
  throw new DeadlineOptionError('@middy-deadline/remaining-time-budget', option, problem)
}

export function createDurationEstimator(options: Partial<DurationEstimatorOptions> = {}): DurationEstimator {
  const { windowSize, percentile, minSamples } = { ...estimatorDefaults, ...options }
  if (!Number.isInteger(windowSize) || windowSize < 1) fail('windowSize', `must be a positive integer, got ${windowSize}`)
  if (!(percentile > 0 && percentile <= 1)) fail('percentile', `must be a number in (0, 1], got ${percentile}`)
  if (!Number.isInteger(minSamples) || minSamples < 1 || minSamples > windowSize)
    fail('minSamples', `must be an integer from 1 to windowSize (${windowSize}), got ${minSamples}`)

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
