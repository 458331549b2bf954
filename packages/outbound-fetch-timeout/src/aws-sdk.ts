import {
  checkArgument,
  currentDeadline,
  type Deadline,
  type DeadlineScope,
  isInstance,
  object,
  raceSignal,
  readSafely,
  warnOnce,
} from '@middy-deadline/deadline/internal'
import type {
  DeserializeMiddleware,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  HttpHandlerOptions,
  InitializeMiddleware,
  MiddlewareStack,
  Pluggable,
} from '@smithy/types'
import { callLogOf, type PendingCall } from './calls.js'
import { abortError, endingOf, notSentError, type OutboundTarget, OutboundTimeoutError } from './errors.js'
import { type CallLimits, PACKAGE, validateLimits } from './options.js'
import { type DescribeTarget, describeUrl } from './target.js'

export type AwsSdkDeadlineOptions = CallLimits

/** What the plugin needs of a client: its resolved config (`client.config`), whose request handler it wraps. */
export interface AwsClientConfigLike {
  requestHandler?: unknown
}

/**
 * An AWS SDK v3 client plugin: every `client.send` made during an invocation gets
 * - each attempt bounded by `min(perRequestMs, time left to the cutoff)`, headers and body,
 *   through the abort signal the SDK's request handler honours (the socket is destroyed);
 * - the invocation's cutoff and the caller's own `abortSignal`, combined;
 * - no retry whose backoff would leave a further attempt less than `minimumMs` before the cutoff;
 * - a refusal, before anything is sent, when less than `minimumMs` is left.
 * Outside an invocation (`currentDeadline()` is undefined) the client behaves as without it.
 *
 *     const sqs = new SQSClient({})
 *     sqs.middlewareStack.use(awsSdkDeadlinePlugin(sqs.config, { perRequestMs: 2000 }))
 *
 * It takes the client's config, like the SDK's own plugins (`getRetryPlugin(config)`), because the
 * signal a request handler honours comes from `send()`'s options, which no middleware can reach:
 * the plugin wraps `config.requestHandler` (once, however often it is applied) to hand it over.
 */
export function awsSdkDeadlinePlugin<Input extends object = object, Output extends object = object>(
  config: AwsClientConfigLike,
  options: Partial<AwsSdkDeadlineOptions> = {},
): Pluggable<Input, Output> {
  checkArgument(PACKAGE, 'config', object(true), config)
  const limits = validateLimits(options)
  return {
    applyToStack(stack: MiddlewareStack<Input, Output>) {
      wrapRequestHandler(config)
      // `override`: applying the plugin again replaces these instead of bounding each call twice.
      stack.add(sendMiddleware<Input, Output>(limits), { step: 'initialize', priority: 'high', name: SEND_NAME, override: true })
      stack.add(attemptMiddleware<Input, Output>(limits), { step: 'finalizeRequest', priority: 'low', name: ATTEMPT_NAME, override: true })
      stack.add(signalMiddleware<Input, Output>(), { step: 'deserialize', priority: 'low', name: SIGNAL_NAME, override: true })
    },
  }
}

const SEND_NAME = 'deadlineSendMiddleware'
const ATTEMPT_NAME = 'deadlineAttemptMiddleware'
const SIGNAL_NAME = 'deadlineSignalMiddleware'
// The SDK's own key (`SMITHY_CONTEXT_KEY` of @smithy/types), spelled out so that this file has no
// runtime import of an optional peer.
const SMITHY_CONTEXT_KEY = '__smithy_context'
// A send's state lives on the SDK's context for that send, the one object its three middlewares
// all see; under a symbol, because the SDK asks for no new string keys there (they could collide
// with its own).
const SEND = Symbol('@middy-deadline/outbound.awsSend')
const ATTEMPT_SIGNAL = Symbol.for('@middy-deadline/outbound.awsAttemptSignal')
const WRAPPED = Symbol.for('@middy-deadline/outbound.awsRequestHandler')

/** One `client.send` within an invocation, shared by the middlewares through the SDK's context. */
interface SendState {
  readonly deadline: Deadline
  readonly callerSignal: AbortSignal | undefined
  readonly retryScope: DeadlineScope
  readonly target: { label: string; method: string | undefined; url: string | undefined }
  readonly call: PendingCall
  readonly startedAt: number
  attemptScope: DeadlineScope | undefined
  attempts: number
  lastAttemptError: unknown
}

type Context = HandlerExecutionContext & { [SEND]?: SendState }

/** Per send, outermost: refuses a send without time, bounds the SDK's retry waits, names the error. */
function sendMiddleware<Input extends object, Output extends object>(limits: CallLimits): InitializeMiddleware<Input, Output> {
  return (next, context: Context) =>
    async function deadlineSendMiddleware(args) {
      const deadline = currentDeadline()
      context[SMITHY_CONTEXT_KEY] ??= {}
      const smithy = context[SMITHY_CONTEXT_KEY]
      // The SDK's old AbortSignal shim has no `addEventListener` and cannot be combined with ours;
      // replacing it would lose the caller's abort, so such a send is left as it is.
      if (deadline === undefined || !(smithy.abortSignal === undefined || smithy.abortSignal instanceof AbortSignal)) return next(args)
      const callerSignal = smithy.abortSignal
      const target = { label: labelOf(context), method: undefined, url: undefined }
      const log = callLogOf(deadline)
      const refused = log.refusal('aws-sdk', target, limits.minimumMs)
      if (refused !== undefined) throw refused
      // The SDK's retry races its token wait and its backoff against this signal (and against
      // nothing else): it aborts when a further attempt could no longer get `minimumMs`, so a
      // backoff that would run past that point ends there, and the send fails instead of retrying.
      const retryScope = deadline.scope(Math.max(1, deadline.remaining() - limits.minimumMs), callerSignal)
      smithy.abortSignal = retryScope.signal
      const state: SendState = {
        deadline,
        callerSignal,
        retryScope,
        target,
        call: log.start('aws-sdk', target),
        startedAt: performance.now(),
        attemptScope: undefined,
        attempts: 0,
        lastAttemptError: undefined,
      }
      context[SEND] = state
      try {
        const result = await next(args)
        state.call.finish('ok')
        return result
      } catch (error) {
        throw settleSend(state, limits, error)
      } finally {
        retryScope.dispose()
      }
    }
}

/** Per attempt (inside the SDK's retry): the attempt's own limit, covering its response body. */
function attemptMiddleware<Input extends object, Output extends object>(limits: CallLimits): FinalizeRequestMiddleware<Input, Output> {
  return (next, context: Context) =>
    async function deadlineAttemptMiddleware(args) {
      const state = context[SEND]
      if (state === undefined) return next(args)
      // The previous attempt's body has been read or has failed by now.
      state.attemptScope?.dispose()
      state.attempts++
      Object.assign(state.target, describeRequest(args.request, limits.describeTarget))
      state.call.update({ method: state.target.method, url: state.target.url, attempts: state.attempts })
      const { deadline, callerSignal } = state
      const refused = notSentError(state.target, deadline, limits.minimumMs)
      if (refused !== undefined) {
        state.lastAttemptError = refused
        throw refused
      }
      const scope = deadline.scope(limits.perRequestMs, callerSignal)
      state.attemptScope = scope
      const startedAt = performance.now()
      try {
        // The request handler aborts the socket on this signal; racing it too keeps the bound for a
        // handler that ignores `abortSignal`.
        const result = await raceSignal(next(args), scope.signal)
        releaseAfterBody(scope, (result.response as { body?: unknown } | undefined)?.body)
        return result
      } catch (error) {
        scope.dispose()
        const { limit } = scope.signal.aborted ? endingOf(scope.signal, callerSignal) : { limit: undefined }
        // A caller's abort or the invocation's end keeps the SDK's own AbortError.
        state.lastAttemptError =
          limit === undefined
            ? error
            : // With a limit, the error is ours (the caller's abort and the invocation's end have none).
              withMetadata(
                abortError(
                  scope.signal,
                  callerSignal,
                  state.target,
                  performance.now() - startedAt,
                  limits.perRequestMs,
                  error,
                ) as OutboundTimeoutError,
                error,
              )
        throw state.lastAttemptError
      }
    }
}

/** Innermost: hands the attempt's signal to the (wrapped) request handler on the request itself. */
function signalMiddleware<Input extends object, Output extends object>(): DeserializeMiddleware<Input, Output> {
  return (next, context: Context) =>
    function deadlineSignalMiddleware(args) {
      const signal = context[SEND]?.attemptScope?.signal
      if (signal !== undefined && typeof args.request === 'object' && args.request !== null)
        Object.defineProperty(args.request, ATTEMPT_SIGNAL, { value: signal, configurable: true, enumerable: false })
      return next(args)
    }
}

type Handle = (request: unknown, options?: HttpHandlerOptions) => Promise<unknown>

/**
 * The SDK calls `config.requestHandler.handle(request, options)` with `send()`'s own options,
 * resolved once per send: no middleware can set an attempt's `abortSignal` there. So the handler's
 * `handle` is wrapped, once, on the handler itself: it reads the signal the innermost middleware
 * left on the request. On the handler itself, rather than a stand-in for it: the client keeps the
 * very object it was given (`instanceof`, `destroy`, `updateHttpClientConfig`, its agents), and no
 * other member goes through us.
 */
function wrapRequestHandler(config: AwsClientConfigLike): void {
  const handler = config.requestHandler as ({ handle?: Handle } & { [WRAPPED]?: true }) | undefined
  if (handler?.[WRAPPED]) return
  const inner = handler?.handle
  if (handler === undefined || typeof inner !== 'function') {
    warnOnce(
      'aws-sdk:handler',
      PACKAGE,
      'awsSdkDeadlinePlugin: the client config has no request handler to wrap; attempts are raced against the deadline but their sockets are not aborted',
    )
    return
  }
  const handle: Handle = (request, options) => {
    const signal = (request as { [ATTEMPT_SIGNAL]?: AbortSignal } | null)?.[ATTEMPT_SIGNAL]
    return inner.call(handler, request, signal === undefined ? options : { ...options, abortSignal: signal })
  }
  if (!Reflect.defineProperty(handler, 'handle', { value: handle, configurable: true, writable: true })) {
    warnOnce(
      'aws-sdk:handler-frozen',
      PACKAGE,
      'awsSdkDeadlinePlugin: the request handler cannot be wrapped (frozen); attempts are raced against the deadline but their sockets are not aborted',
    )
    return
  }
  Object.defineProperty(handler, WRAPPED, { value: true, configurable: true })
}

function settleSend(state: SendState, limits: CallLimits, error: unknown): unknown {
  const { call, retryScope, callerSignal, lastAttemptError } = state
  if (isInstance(error, OutboundTimeoutError)) {
    call.finish('timeout', (error as OutboundTimeoutError).limit)
    return error
  }
  // The caller's abort aborts the retry scope too: it is told apart below.
  if (!retryScope.signal.aborted) {
    call.finish('error')
    return error
  }
  const { limit } = endingOf(retryScope.signal, callerSignal)
  if (limit === undefined) {
    call.finish('aborted')
    return error
  }
  // An attempt that fails once the retry scope has aborted is rethrown by the SDK as it is, without
  // asking its strategy whether it would retry it (a QueueDoesNotExist never would): the service's
  // own error, which the user's code may branch on, not a timeout.
  if (error === lastAttemptError) {
    call.finish('error')
    return error
  }
  // The retry's wait was cut: the attempt itself was cut at the cutoff, or the backoff would have
  // left a further attempt too little time.
  call.finish('timeout', 'cutoff')
  if (isInstance(lastAttemptError, OutboundTimeoutError) && (lastAttemptError as OutboundTimeoutError).limit === 'cutoff')
    return lastAttemptError
  const detail = `not retried after ${state.attempts} attempt(s): a further attempt would have less than minimumMs (${limits.minimumMs} ms) before the invocation cutoff`
  return withMetadata(
    new OutboundTimeoutError(state.target, 'cutoff', performance.now() - state.startedAt, detail, {
      cause: lastAttemptError ?? error,
    }),
    error,
  )
}

/**
 * A streamed output (S3 `GetObject`'s `Body`) is read after `send` returns: the attempt's signal
 * stays armed until that stream closes, or until the invocation ends. A body already read
 * (every other output) releases it now.
 */
function releaseAfterBody(scope: DeadlineScope, body: unknown): void {
  const stream = body as { readableEnded?: boolean; destroyed?: boolean; once?: (event: string, fn: () => void) => void } | undefined
  if (typeof stream?.once === 'function' && typeof stream.readableEnded === 'boolean') {
    if (stream.readableEnded || stream.destroyed) scope.dispose()
    else stream.once('close', () => scope.dispose())
  } else if (!(body instanceof ReadableStream)) {
    scope.dispose()
  }
}

/** Method and URL of an attempt's request, the URL as `describeTarget` shows it (its origin by default). */
function describeRequest(request: unknown, describe: DescribeTarget | undefined): Pick<OutboundTarget, 'method' | 'url'> {
  const text = (key: string) => {
    const value = readSafely(request, key)
    return typeof value === 'string' || typeof value === 'number' ? `${value}` : undefined
  }
  const method = text('method')
  const hostname = text('hostname')
  if (hostname === undefined) return { method, url: undefined }
  const port = text('port')
  const origin = `${text('protocol') ?? 'https:'}//${hostname}${port === undefined ? '' : `:${port}`}`
  if (describe === undefined) return { method, url: origin }
  try {
    return { method, url: describeUrl(new URL(`${origin}${text('path') ?? '/'}`), describe) }
  } catch {
    return { method, url: origin }
  }
}

function labelOf(context: HandlerExecutionContext): string {
  const name = (key: 'clientName' | 'commandName', suffix: RegExp) => {
    const value = readSafely(context, key)
    return typeof value === 'string' ? value.replace(suffix, '') : undefined
  }
  const client = name('clientName', /Client$/)
  const command = name('commandName', /Command$/)
  // Empty, not missing, for a command that Smithy's builder made without names.
  return client && command ? `${client}.${command}` : command || client || 'aws-sdk'
}

/** Keeps what SDK users read on errors (`$metadata`, `$response`) on the error that replaces one. */
function withMetadata(error: OutboundTimeoutError, original: unknown): OutboundTimeoutError {
  for (const key of ['$metadata', '$response', '$fault'] as const) {
    const value = readSafely(original, key)
    if (value !== undefined) Object.defineProperty(error, key, { value, configurable: true, writable: true })
  }
  return error
}
