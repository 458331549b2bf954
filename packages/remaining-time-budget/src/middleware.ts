import type { MiddlewareObj } from '@middy/core'
import { reservingMiddleware } from '@middy-deadline/deadline'
import { check } from './options.js'

export interface RemainingTimeBudgetOptions {
  /** Milliseconds kept before the hard deadline for stopping and answering (see the docs). */
  reserveMs: number
}

const defaults: RemainingTimeBudgetOptions = { reserveMs: 500 }

/**
 * Puts the invocation's deadline in place (`context.deadline`, `currentDeadline()`) with a reserve
 * for answering, so that `runWithinBudget` and the batch handlers in the handler stop in time.
 */
export function remainingTimeBudget(options: Partial<RemainingTimeBudgetOptions> = {}): MiddlewareObj {
  check.unknownKeys(options, Object.keys(defaults))
  const config = { ...defaults, ...options }
  return reservingMiddleware('remainingTimeBudget', check.nonNegativeMs('reserveMs', config.reserveMs))
}
