import { DeadlineTimeoutError } from '@middy-deadline/deadline/internal'

/**
 * An item that was started but had not finished when the run had to answer (the cutoff came, or
 * the caller's signal aborted, and the item ignored its signal for `abandonAfterMs`). It is
 * reported as failed, never as done: its function may still finish later, and a retry of the item
 * is the safe side of that race. A `DeadlineTimeoutError`: `limit` is `'cutoff'` when the run
 * stopped at the invocation's cutoff, `'operation'` when the item's own wait ran out after the
 * caller's signal aborted.
 */
export class ItemAbandonedError extends DeadlineTimeoutError {}

/** The `continueWith` hook failed: the rest of the work was not handed on. */
export class ContinuationError extends Error {
  override readonly name = 'ContinuationError'
  /** The items that were neither done nor handed on. */
  readonly rest: readonly unknown[]
  constructor(message: string, rest: readonly unknown[], options?: ErrorOptions) {
    super(message, options)
    this.rest = rest
  }
}

/**
 * A record that failed or was not started has no identifier to report (no SQS `messageId`, no
 * stream sequence number). The partial batch response cannot name it, so the whole batch fails
 * instead (Lambda retries all of it) rather than drop the record.
 */
export class BatchReportError extends Error {
  override readonly name = 'BatchReportError'
}

/**
 * What a batch handler got is not a batch: `event.Records` (or the runner's `items`) is not an
 * array. Thrown, so that Lambda retries the whole batch: answering with no failures would tell it
 * to delete every message, none of which ran.
 */
export class BatchInputError extends Error {
  override readonly name = 'BatchInputError'
}

/** The error for a batch that is not an array, describing what it is without reading into it. */
export function notABatch(what: string, value: unknown, consequence: string): BatchInputError {
  const type = typeof value
  const kind = value === undefined ? 'missing' : value === null ? 'null' : type === 'object' ? 'an object' : `a ${type}`
  return new BatchInputError(`@middy-deadline/remaining-time-budget: ${what} is ${kind}, not an array: ${consequence}`)
}
