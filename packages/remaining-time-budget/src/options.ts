import { integer, ms, number, optional, refuseWith, withMethods } from '@middy-deadline/deadline/internal'
import { createDurationEstimator, type DurationEstimator } from './estimator.js'

export const PACKAGE = '@middy-deadline/remaining-time-budget'

/** How a run decides whether an item still fits. */
export interface BudgetOptions {
  /** How many items may run at once. */
  concurrency: number
  /**
   * Expected duration of one item (ms). Used until the estimator has learned enough; with
   * `estimator: false`, always.
   */
  expectedMs: number
  /** Where learned durations live; `false` to use `expectedMs` only. */
  estimator: DurationEstimator | false
  /** An item starts only if `expected × safetyFactor` fits before the cutoff. */
  safetyFactor: number
  /** Each item's own time limit (ms); its signal aborts then, or at the cutoff if earlier. */
  itemTimeoutMs: number | undefined
  /**
   * How long to wait, once the run must stop, for started items to settle after their signal
   * aborted, before reporting them as failed (`ItemAbandonedError`) and answering.
   */
  abandonAfterMs: number
}

// An item starts only if `expected × safetyFactor` fits: past a hundred the check means nothing.
const MAX_SAFETY_FACTOR = 100
// SQS's largest batch: "all of a batch at once" stays expressible.
const MAX_CONCURRENCY = 10_000

/**
 * The options of a runner, as every entry point that takes them (runner, batch handlers) checks them.
 * Each rule is made by a pure call, so that a bundle with the middleware alone leaves them (and the
 * estimator) out: 1.2 KB minified.
 */
export const BUDGET_OPTIONS = {
  concurrency: /* @__PURE__ */ integer(1, 1, MAX_CONCURRENCY),
  expectedMs: /* @__PURE__ */ ms(0),
  // A fresh estimator per runner (or batch handler) when left out: it learns this one workload.
  estimator: (value: unknown): DurationEstimator | false =>
    value === undefined ? createDurationEstimator() : value === false ? false : estimatorOf(value),
  safetyFactor: /* @__PURE__ */ number(1.5, 1, MAX_SAFETY_FACTOR),
  itemTimeoutMs: /* @__PURE__ */ optional(/* @__PURE__ */ ms(undefined, true)),
  abandonAfterMs: /* @__PURE__ */ ms(50),
}

function estimatorOf(value: unknown): DurationEstimator {
  try {
    return withMethods<DurationEstimator>('estimate', 'record')(value) as DurationEstimator
  } catch {
    return refuseWith('must come from createDurationEstimator() or be false')
  }
}
