import { setTimeout as delay } from 'node:timers/promises'
import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import { Tracer } from '@aws-lambda-powertools/tracer'
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware'
import middy, { type MiddlewareObj } from '@middy/core'
import errorLogger from '@middy/error-logger'
import httpCors from '@middy/http-cors'
import httpErrorHandler from '@middy/http-error-handler'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import inputOutputLogger from '@middy/input-output-logger'
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure'
import { currentDeadline, type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { outboundFetchTimeout } from '@middy-deadline/outbound-fetch-timeout'
import { remainingTimeBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { timingLogger } from '@middy-deadline/timing-logger'
import type { SQSRecord } from 'aws-lambda'
import { type Cell, isSqs, type MiddyMajor, type NeighbourSet, type Ours } from './cells.js'
import { type CellLog, sawCall, sawHook } from './observe.js'

/** Every cell's function: a 600 ms timeout, a 200 ms reserve (cutoff at 400 ms, grace 40 ms, margin 20 ms). */
export const TIMEOUT_MS = 600
export const RESERVE_MS = 200
/** Middy's own early timeout for the two paths about it: below and above our reserve. */
export const MIDDY_EARLY_MS = { small: 50, large: 400 } as const

export class DbError extends Error {
  override name = 'DbError'
}
export class ReporterError extends Error {
  override name = 'ReporterError'
}

export const RECORD_IDS = ['m0', 'm1', 'm2', 'm3'] as const

export function eventFor(cell: Cell): object {
  if (isSqs(cell.neighbours))
    return {
      Records: RECORD_IDS.map(
        (messageId) =>
          ({
            messageId,
            receiptHandle: `handle-${messageId}`,
            body: JSON.stringify({ id: messageId }),
            attributes: {},
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs',
            awsRegion: 'us-east-1',
          }) as unknown as SQSRecord,
      ),
    }
  // An HTTP API (payload 2.0) request with a JSON body, as the body parser and CORS expect.
  return {
    version: '2.0',
    routeKey: 'POST /orders',
    rawPath: '/orders',
    headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
    requestContext: { http: { method: 'POST', path: '/orders' } },
    body: JSON.stringify({ order: 42 }),
    isBase64Encoded: false,
  }
}

/** The user's work stuck on something that ignores every signal; the harness stops it after the cell. */
export interface Stuck {
  readonly signal: AbortSignal
}
const forever = (stuck: Stuck) => delay(60_000, undefined, { signal: stuck.signal }).catch(() => {})

type Handler = (event: never, context: DeadlineContext, options?: { signal?: AbortSignal }) => Promise<unknown>

/** The handler of an HTTP path. */
function httpHandler(cell: Cell, stuck: Stuck): Handler {
  switch (cell.path) {
    case 'throws':
    case 'onerror-throws':
      return async () => {
        throw new DbError('db down')
      }
    case 'honours':
    case 'stream-timeout':
      return async (_event, context) => {
        await delay(60_000, undefined, { signal: context.deadline.signal })
        return { statusCode: 200, body: 'never' }
      }
    case 'ignores':
    case 'middy-timeout-small':
    case 'middy-timeout-large':
      return async () => {
        await forever(stuck)
        return { statusCode: 200, body: 'too late' }
      }
    case 'late-answer':
    case 'late-answer-announced':
      return async (_event, context) => {
        const { deadline } = context
        if (cell.path === 'late-answer-announced') deadline.signal.addEventListener('abort', () => deadline.expectAnswer())
        // Ignores the signal, and answers half the reserve after the cutoff.
        await delay(deadline.remaining() + RESERVE_MS / 2, undefined, { signal: stuck.signal }).catch(() => {})
        return { statusCode: 200, body: JSON.stringify({ partial: true }) }
      }
    default:
      return async () => ({ statusCode: 200, body: JSON.stringify({ ok: true }) })
  }
}

/** What one record does on an SQS path. */
function recordWork(cell: Cell, stuck: Stuck): (id: string) => Promise<void> {
  return async (id) => {
    if (cell.path === 'record-fails' && id === 'm1') throw new DbError(`record ${id} failed`)
    const stuckPath = cell.path === 'stuck-record' || cell.path.startsWith('middy-timeout')
    if (stuckPath && id === 'm1') return forever(stuck)
    // Code far from the handler reaches the invocation's signal without a context.
    if (cell.path === 'honours' && (id === 'm1' || id === 'm3')) await delay(60_000, undefined, { signal: currentDeadline()?.signal })
    else await delay(2)
  }
}

async function batchHandler(cell: Cell, stuck: Stuck): Promise<Handler> {
  if (cell.path === 'throws' || cell.path === 'onerror-throws')
    return async () => {
      throw new DbError('queue config missing')
    }
  const work = recordWork(cell, stuck)
  const idOf = (record: SQSRecord) => record.messageId
  switch (cell.neighbours) {
    case 'ours-sqs':
      return sqsBatch((record) => work(idOf(record)), { concurrency: 4 }) as unknown as Handler
    case 'middy-sqs':
      // What @middy/sqs-partial-batch-failure expects: one settled result per record, in order.
      return (async (event: { Records: SQSRecord[] }) =>
        Promise.allSettled(event.Records.map((record) => work(idOf(record))))) as unknown as Handler
    default: {
      const { BatchProcessor, EventType, processPartialResponse } = await import('@aws-lambda-powertools/batch')
      // One processor per chain: without AWS_LAMBDA_MAX_CONCURRENCY it keeps its state on itself.
      const processor = new BatchProcessor(EventType.SQS)
      return (async (event: { Records: SQSRecord[] }, context: DeadlineContext) =>
        processPartialResponse(event as never, (record: SQSRecord) => work(idOf(record)), processor, {
          context,
        })) as unknown as Handler
    }
  }
}

const named = <T extends (...args: never[]) => unknown>(name: string, fn: T): T => Object.defineProperty(fn, 'name', { value: name })

/** The cell's own innermost middleware, for the paths that need one. */
function pathMiddleware(cell: Cell): MiddlewareObj | undefined {
  if (cell.path === 'early')
    return {
      before: named('earlyAnswerBefore', () => (isSqs(cell.neighbours) ? { batchItemFailures: [] } : { statusCode: 304, body: '' })),
    }
  if (cell.path === 'onerror-throws')
    return {
      onError: named('reporterOnError', () => {
        throw new ReporterError('the error reporter failed')
      }),
    }
  return undefined
}

/** Our middleware, each function counted as it runs (keeping its name, which Middy's plugin hooks read). */
function counted(middleware: MiddlewareObj, log: CellLog): MiddlewareObj {
  const wrapped: MiddlewareObj = {}
  for (const phase of ['before', 'after', 'onError'] as const) {
    const fn = middleware[phase] as ((request: unknown) => unknown) | undefined
    if (fn === undefined) continue
    wrapped[phase] = named(fn.name, (request: Parameters<NonNullable<MiddlewareObj['before']>>[0]) => {
      sawCall(log, fn.name)
      return fn(request) as never
    })
  }
  return wrapped
}

function neighboursOf(set: NeighbourSet): MiddlewareObj[] {
  const quiet = () => {}
  switch (set) {
    case 'middy-http':
      return [
        errorLogger({ logger: quiet }),
        inputOutputLogger({ logger: quiet }),
        httpErrorHandler({ logger: false }),
        httpCors({ origins: ['https://shop.example'] }),
        httpJsonBodyParser(),
      ] as MiddlewareObj[]
    case 'powertools-http':
      return [...powertools(), httpErrorHandler({ logger: false }) as MiddlewareObj]
    case 'middy-sqs':
      return [
        errorLogger({ logger: quiet }),
        inputOutputLogger({ logger: quiet }),
        sqsPartialBatchFailure({ logger: quiet }),
      ] as MiddlewareObj[]
    case 'powertools-sqs':
      return powertools()
    case 'ours-sqs':
      return [powertools()[0] as MiddlewareObj, errorLogger({ logger: quiet }) as MiddlewareObj]
    default:
      return []
  }
}

/**
 * The X-Ray SDK enters its Lambda context, with the facade segment Lambda would trace under, as it
 * loads (it is loading now, with this module). On Lambda every invocation runs in that context; in
 * this process the cells run from vitest's own async flow, outside it, so each Powertools cell runs
 * in the SDK's namespace with the facade as its segment, as it would on Lambda.
 */
const xray = new Tracer({ serviceName: 'matrix' })
const facade = xray.getSegment()

/** Sends the X-Ray segments to `address` (`host:port`): the matrix's stand-in for the daemon. */
export function useXrayDaemon(address: string): void {
  xray.provider.setDaemonAddress(address)
}

function traced(handler: (...args: unknown[]) => Promise<unknown>): (...args: unknown[]) => Promise<unknown> {
  return (...args) =>
    xray.provider.getNamespace().runAndReturn(() => {
      if (facade !== undefined) xray.setSegment(facade)
      return handler(...args)
    })
}

/** Powertools' three middlewares, each with an instance of its own per chain. */
function powertools(): MiddlewareObj[] {
  const logger = new Logger({ serviceName: 'orders', logLevel: 'WARN' })
  const metrics = new Metrics({ namespace: 'Orders', serviceName: 'orders' })
  const tracer = new Tracer({ serviceName: 'orders' })
  return [injectLambdaContext(logger), logMetrics(metrics), captureLambdaHandler(tracer)] as MiddlewareObj[]
}

async function middyOptions(cell: Cell, graceful: ReturnType<typeof gracefulTimeout>): Promise<object> {
  const plugin = cell.plugin === 'graceful' ? graceful.plugin : cell.plugin === 'deadline' ? deadlinePlugin() : {}
  const early =
    cell.path === 'middy-timeout-small'
      ? { timeoutEarlyInMillis: MIDDY_EARLY_MS.small }
      : cell.path === 'middy-timeout-large'
        ? { timeoutEarlyInMillis: MIDDY_EARLY_MS.large }
        : {}
  return { ...plugin, ...early, ...(await streaming(cell)) }
}

async function streaming(cell: Cell): Promise<object> {
  if (!cell.path.startsWith('stream-')) return {}
  // Middy 6 switched streaming on with a flag; Middy 7 with an execution mode.
  if (cell.middy === 6) return { streamifyResponse: true }
  const { executionModeStreamifyResponse } = await import('@middy/core/executionModeStreamifyResponse')
  return { executionMode: executionModeStreamifyResponse }
}

export interface BuiltChain {
  readonly handler: (...args: unknown[]) => Promise<unknown>
  /** The chain as written, outermost first, by the names the matrix's conditions use. */
  readonly names: readonly string[]
}

/** The cell's chain, built fresh (no state shared with another cell but what the packages share). */
export async function buildChain(cell: Cell, log: CellLog, stuck: Stuck): Promise<BuiltChain> {
  const graceful = gracefulTimeout({ reserveMs: RESERVE_MS, onTimeout: (request) => sawHook(requestIdOf(request)) })
  const ours: Record<Ours, MiddlewareObj> = {
    gracefulTimeout: graceful,
    remainingTimeBudget: remainingTimeBudget({ reserveMs: RESERVE_MS }),
    outboundFetchTimeout: outboundFetchTimeout(),
    timingLogger: timingLogger(),
  }
  const neighbours = neighboursOf(cell.neighbours)
  const names = chainNames(cell)
  const byName = new Map<string, MiddlewareObj>([
    ...cell.order.map((name) => [name, counted(ours[name], log)] as const),
    ...neighbourNamesOf(cell.neighbours).map((name, index) => [name, neighbours[index] as MiddlewareObj] as const),
    ['deadline', counted(deadline(), log)],
  ])
  const own = pathMiddleware(cell)
  if (own !== undefined) byName.set('path', own)

  const handler = isSqs(cell.neighbours) ? await batchHandler(cell, stuck) : httpHandler(cell, stuck)
  const instance = middy(handler as never, (await middyOptions(cell, graceful)) as never)
  for (const name of names) instance.use(byName.get(name) as never)
  const run = instance as unknown as (...args: unknown[]) => Promise<unknown>
  return { handler: cell.neighbours.startsWith('powertools') ? traced(run) : run, names }
}

/** The cell's chain in `.use()` order (outermost first), by name: what the conditions read. */
export function chainNames(cell: Cell): string[] {
  const mine: string[] = [...cell.order]
  const theirs = neighbourNamesOf(cell.neighbours)
  const placed =
    cell.placement === 'outside'
      ? [...theirs, ...mine]
      : cell.placement === 'inside'
        ? [...mine, ...theirs]
        : [...mine.slice(0, 1), ...theirs, ...mine.slice(1)]
  return [...(cell.deadlineFirst ? ['deadline'] : []), ...placed, ...(pathMiddleware(cell) === undefined ? [] : ['path'])]
}

/**
 * The neighbours whose `before` is an async function, per Middy major: on Middy 6 such a `before`
 * placed before ours makes ours run in a continuation of Middy's middleware loop (see the deadline
 * docs, "Composing with Middy 6"). The matrix checks this list against the middlewares themselves.
 */
export const ASYNC_BEFORE: Record<MiddyMajor, readonly string[]> = {
  6: ['inputOutputLogger', 'httpJsonBodyParser', 'httpCors'],
  7: [],
}

/** The neighbours of a set by name, as built, for checking facts such as ASYNC_BEFORE. */
export function neighboursByName(set: NeighbourSet): Map<string, MiddlewareObj> {
  const built = neighboursOf(set)
  return new Map(neighbourNamesOf(set).map((name, index) => [name, built[index] as MiddlewareObj]))
}

function neighbourNamesOf(set: NeighbourSet): string[] {
  switch (set) {
    case 'middy-http':
      return ['errorLogger', 'inputOutputLogger', 'httpErrorHandler', 'httpCors', 'httpJsonBodyParser']
    case 'powertools-http':
      return ['injectLambdaContext', 'logMetrics', 'captureLambdaHandler', 'httpErrorHandler']
    case 'middy-sqs':
      return ['errorLogger', 'inputOutputLogger', 'sqsPartialBatchFailure']
    case 'powertools-sqs':
      return ['injectLambdaContext', 'logMetrics', 'captureLambdaHandler']
    case 'ours-sqs':
      return ['injectLambdaContext', 'errorLogger']
    default:
      return []
  }
}

const requestIdOf = (request: { context: unknown }) => (request.context as { awsRequestId: string }).awsRequestId
