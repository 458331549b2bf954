import type { MiddlewareObj } from '@middy/core'
import { checkOptions, ms, reservingMiddleware } from '@middy-deadline/deadline/internal'
import { PACKAGE } from './options.js'

export interface RemainingTimeBudgetOptions {
  /** Milliseconds kept before the hard deadline for stopping and answering (see the docs). */
  reserveMs: number
}

const OPTIONS = { reserveMs: ms(500) }

/**
 * Puts the invocation's deadline in place (`context.deadline`, `currentDeadline()`) with a reserve
 * for answering, so that `runWithinBudget` and the batch handlers in the handler stop in time.
 */
export function remainingTimeBudget(options: Partial<RemainingTimeBudgetOptions> = {}): MiddlewareObj {
  return reservingMiddleware('remainingTimeBudget', checkOptions(PACKAGE, OPTIONS, options).reserveMs)
}
