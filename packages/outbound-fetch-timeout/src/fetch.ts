import { currentDeadline, type Deadline, isInstance } from '@middy-deadline/deadline/internal'
import { watchBody } from './body.js'
import { callLogOf } from './calls.js'
import { abortError, endingOf } from './errors.js'
import { type FetchLike, type OutboundFetchTimeoutOptions, settingsOf } from './options.js'
import { boundedSignals, originalGlobalFetch, unwrapped } from './original-fetch.js'
import { settledOrAborted } from './race.js'
import { targetOf, withoutUrlSecrets } from './target.js'

/** A `fetch` whose every call ends no later than the invocation's cutoff. */
export type DeadlineFetch = FetchLike

/**
 * `fetch`, bound to the current invocation's deadline (found with `currentDeadline()`), for code
 * that has no `context`. Outside any invocation it is the plain global `fetch`.
 */
export const deadlineFetch: DeadlineFetch = (input, init) => {
  const deadline = currentDeadline()
  if (deadline === undefined)
    return originalGlobalFetch()(input, init).catch((error: unknown) => {
      throw withoutUrlSecrets(error, input, targetOf(input, init, undefined).url)
    })
  return fetchWithin(deadline, settingsOf(deadline), undefined, input, init)
}

/** The `context.fetch` of one invocation: bound to that deadline wherever it is called from. */
export function fetchBoundTo(deadline: Deadline): DeadlineFetch {
  return (input, init) => fetchWithin(deadline, settingsOf(deadline), undefined, input, init)
}

/**
 * One call: refused at once if the cutoff is too close, otherwise sent with a signal that aborts
 * after `perRequestMs`, at the cutoff, or with the caller's own signal, and that stays armed until
 * the body has been read. The scope is the deadline's, so the invocation's end releases it at the
 * latest, even for a body nobody reads.
 */
export async function fetchWithin(
  deadline: Deadline,
  settings: OutboundFetchTimeoutOptions,
  underlying: FetchLike | undefined,
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<Response> {
  const target = targetOf(input, init, settings.describeTarget)
  const callerSignal = init?.signal ?? (isInstance(input, Request) ? (input as Request).signal : undefined) ?? undefined
  const log = callLogOf(deadline)
  const refused = log.refusal('fetch', target, settings.minimumMs)
  if (refused !== undefined) throw refused

  const { perRequestMs } = settings
  const scope = deadline.scope(perRequestMs, callerSignal)
  const call = log.start('fetch', target)
  const startedAt = performance.now()
  let answeredAtMs: number | undefined
  let bodyTouched = false
  const cut = (cause: unknown) => abortError(scope.signal, callerSignal, target, performance.now() - startedAt, perRequestMs, cause)
  const failCall = (error: unknown) => {
    scope.dispose()
    if (!scope.signal.aborted) {
      call.finish('error')
      return error
    }
    const { outcome, limit } = endingOf(scope.signal, callerSignal)
    call.finish(outcome, limit)
    return cut(error)
  }
  // The scope aborting (per-request limit, cutoff, end) cuts a body nobody is reading, and frees
  // its connection. The call had answered and nobody asked for the body: it counts as answered,
  // for the time its headers took.
  scope.signal.addEventListener(
    'abort',
    () => {
      const { outcome, limit } = endingOf(scope.signal, callerSignal)
      if (answeredAtMs !== undefined && !bodyTouched) call.finishOnAbort('ok', undefined, answeredAtMs)
      else call.finishOnAbort(outcome, limit)
    },
    { once: true },
  )
  if (scope.signal.aborted) throw failCall(scope.signal.reason)

  let response: Response
  boundedSignals().add(scope.signal)
  try {
    const fetch = unwrapped(underlying ?? settings.fetch ?? originalGlobalFetch())
    // Raced, not only awaited: a `fetch` option that ignores its signal must not keep the caller past the limit.
    response = await settledOrAborted(Promise.resolve(fetch(input, { ...init, signal: scope.signal })), scope.signal)
  } catch (error) {
    throw failCall(withoutUrlSecrets(error, input, target.url))
  }
  answeredAtMs = deadline.elapsed()
  try {
    // A `fetch` option may answer with anything: what cannot be read as a Response fails the call.
    call.update({ status: response.status })
    return watchBody(response, {
      touched: () => {
        bodyTouched = true
      },
      done: () => {
        scope.dispose()
        call.finish('ok')
      },
      failed: failCall,
    })
  } catch (error) {
    throw failCall(error)
  }
}
