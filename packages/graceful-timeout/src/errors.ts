import { DeadlineTimeoutError } from '@middy-deadline/deadline/internal'

/**
 * What the invocation ends with when it reached its cutoff and no `timeoutResponse` is set: a
 * `DeadlineTimeoutError` with `limit: 'cutoff'`.
 *
 * Named `TimeoutError` so that `err.name === 'TimeoutError'` checks keep working, and carrying
 * `statusCode: 504` with `expose: true`: `@middy/http-error-handler` turns an error into its own
 * status only when both are set (it replaces any unexposed 5xx with a generic 500). The message
 * is written to be safe in a response body; the details go to the timeout record.
 */
export class GracefulTimeoutError extends DeadlineTimeoutError {
  readonly statusCode = 504
  readonly expose = true
  readonly requestId: string
  constructor(requestId: string, options?: ErrorOptions) {
    super('Timed out: the function stopped before its time limit', 'cutoff', options)
    this.requestId = requestId
  }
}
