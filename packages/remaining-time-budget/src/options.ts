import { DeadlineOptionError, type OptionChecker, optionChecker } from '@middy-deadline/deadline'
import { createDurationEstimator, type DurationEstimator } from './estimator.js'

export const PACKAGE = '@middy-deadline/remaining-time-budget'
export const check: OptionChecker = optionChecker(PACKAGE)

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

export const budgetDefaults = {
  concurrency: 1,
  expectedMs: 0,
  safetyFactor: 1.5,
  itemTimeoutMs: undefined,
  abandonAfterMs: 50,
} satisfies Omit<BudgetOptions, 'estimator'>

export const BUDGET_KEYS = ['concurrency', 'expectedMs', 'estimator', 'safetyFactor', 'itemTimeoutMs', 'abandonAfterMs'] as const

/** Validates the budget part of any options object; `estimator` defaults to a fresh one. */
export function validateBudget(options: Partial<BudgetOptions>): BudgetOptions {
  const config = { ...budgetDefaults, ...options }
  const concurrency = config.concurrency
  if (!Number.isInteger(concurrency) || concurrency < 1) fail('concurrency', `must be a positive integer, got ${String(concurrency)}`)
  const safetyFactor = config.safetyFactor
  if (typeof safetyFactor !== 'number' || !Number.isFinite(safetyFactor) || safetyFactor < 1)
    fail('safetyFactor', `must be a finite number >= 1, got ${String(safetyFactor)}`)
  const estimator = options.estimator
  if (estimator !== undefined && estimator !== false && typeof estimator?.estimate !== 'function')
    fail('estimator', 'must come from createDurationEstimator() or be false')
  return {
    concurrency,
    expectedMs: check.nonNegativeMs('expectedMs', config.expectedMs),
    estimator: estimator ?? createDurationEstimator(),
    safetyFactor,
    itemTimeoutMs: config.itemTimeoutMs === undefined ? undefined : check.positiveMs('itemTimeoutMs', config.itemTimeoutMs),
    abandonAfterMs: check.nonNegativeMs('abandonAfterMs', config.abandonAfterMs),
  }
}

export function fail(option: string, problem: string): never {
  throw new DeadlineOptionError(PACKAGE, option, problem)
}
