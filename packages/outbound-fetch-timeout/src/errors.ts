import { type Deadline, type DeadlineLimit, DeadlineTimeoutError, isInstance, noTimeToStart } from '@middy-deadline/deadline/internal'

/** What an outbound call looked like, as far as an error message may say (never a query string). */
export interface OutboundTarget {
  /** Host for HTTP calls, `SQS.SendMessage` for the AWS SDK, your label for `withDeadline`. */
  readonly label: string
  readonly method: string | undefined
  /** Origin and path, without query string, fragment or credentials. */
  readonly url: string | undefined
}

/**
 * An outbound call was cut (or never sent) because of a time limit: `limit` is `'operation'` for
 * the call's own limit (`perRequestMs`, `withDeadline`'s `timeoutMs`) and `'cutoff'` for the
 * invocation's cutoff. A `DeadlineTimeoutError`, named `TimeoutError` like the platform's own
 * (`AbortSignal.timeout`), so `err.name === 'TimeoutError'` checks keep working, and the AWS SDK's
 * retry logic counts a per-request timeout as transient.
 *
 * Left unhandled, it answers an HTTP caller the way the invocation's own timeout does
 * (graceful-timeout's error): `statusCode: 504` with `expose: true`, which
 * `@middy/http-error-handler` needs to keep the status (it turns any unexposed 5xx into a generic
 * 500). Exposed means the message becomes the response body, so it never names the call: the
 * target is in `method`, `url` and `label`, for logs.
 */
export class OutboundTimeoutError extends DeadlineTimeoutError {
  /** A downstream did not answer in time: 504 Gateway Timeout, as for the invocation's own timeout. */
  readonly statusCode = 504
  readonly expose = true
  readonly label: string
  readonly method: string | undefined
  readonly url: string | undefined
  /** Milliseconds from the start of the call to the moment the limit fired (0 when not sent). */
  readonly elapsedMs: number
  /** `false` when the call was refused before it was sent: too little time was left. */
  readonly sent: boolean

  constructor(
    target: OutboundTarget,
    limit: DeadlineLimit,
    elapsedMs: number,
    detail: string,
    options?: ErrorOptions & { sent?: boolean },
  ) {
    super(`Timed out (outbound call): ${detail}`, limit, options)
    this.label = target.label
    this.method = target.method
    this.url = target.url
    this.elapsedMs = Math.round(elapsedMs)
    this.sent = options?.sent ?? true
  }
}

/** How one outbound call ended, as the call record shows it. */
export type OutboundOutcome = 'ok' | 'error' | 'timeout' | 'aborted'

export interface Ending {
  outcome: OutboundOutcome
  limit: DeadlineLimit | undefined
}

/**
 * Reads why a call's signal aborted. The invocation's cutoff is ours whoever passed it; any other
 * reason the caller's own signal carries stays the caller's (their AbortError, their timeout).
 */
export function endingOf(signal: AbortSignal, callerSignal: AbortSignal | undefined): Ending {
  const reason: unknown = signal.reason
  // A caller's abort reason can be anything, a proxy that throws on `instanceof` included.
  const ours = isInstance(reason, DeadlineTimeoutError)
  if (ours && (reason as DeadlineTimeoutError).limit === 'cutoff') return { outcome: 'timeout', limit: 'cutoff' }
  if (callerSignal?.aborted && callerSignal.reason === reason) return { outcome: 'aborted', limit: undefined }
  if (ours) return { outcome: 'timeout', limit: 'operation' }
  // The invocation ended with the call still running (InvocationEndedError).
  return { outcome: 'aborted', limit: undefined }
}

/** The error the caller sees once a call's signal has aborted. */
export function abortError(
  signal: AbortSignal,
  callerSignal: AbortSignal | undefined,
  target: OutboundTarget,
  elapsedMs: number,
  timeoutMs: number,
  cause: unknown,
): unknown {
  const { limit } = endingOf(signal, callerSignal)
  if (limit === undefined) return signal.reason
  const detail =
    limit === 'operation'
      ? `no complete response within the per-request limit of ${Math.round(timeoutMs)} ms`
      : `cut at the invocation cutoff after ${Math.round(elapsedMs)} ms`
  return new OutboundTimeoutError(target, limit, elapsedMs, detail, { cause })
}

/** The error for a call that must not be sent: less than `minimumMs` is left before the cutoff. */
export function notSentError(target: OutboundTarget, deadline: Deadline, minimumMs: number): OutboundTimeoutError | undefined {
  const why = noTimeToStart(deadline, minimumMs, `minimumMs (${minimumMs} ms)`)
  return why === undefined ? undefined : new OutboundTimeoutError(target, 'cutoff', 0, `not sent: ${why}`, { sent: false })
}
