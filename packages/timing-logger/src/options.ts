import type { Request } from '@middy/core'
import { type Deadline, DeadlineOptionError, optionChecker } from '@middy-deadline/deadline'
import type { TimingRecord } from './record.js'

export const PACKAGE = '@middy-deadline/timing-logger'
const check = optionChecker(PACKAGE)

/** What a logger is given: the record as one object, its summary under `message`. */
export type TimingLogEntry = Record<string, unknown> & { message: string }

/** Any logger with `info` and `warn` that takes one object: Powertools Logger, pino, console. */
export interface TimingLoggerSink {
  info(entry: TimingLogEntry): unknown
  warn(entry: TimingLogEntry): unknown
}

export interface EmfOptions {
  /** CloudWatch namespace of the metrics. */
  namespace: string
  /** One dimension set, as name → value. Default: `{ FunctionName: <the function's name> }`. */
  dimensions?: Record<string, string>
}

// biome-ignore lint/suspicious/noExplicitAny: Middy's own default for the response type.
export interface TimingLoggerOptions<TEvent = unknown, TResult = any> {
  /**
   * Where the record goes. Default: one JSON line on stdout with `timestamp`, `level` and
   * `message`. A logger gets the record without `level`/`timestamp` (it adds its own).
   */
  logger: TimingLoggerSink | undefined
  /** Share of the timeout (0–1] from which the record is a near-miss, written at WARN. */
  nearMissThreshold: number
  /** Share [0–1] of routine records written; near-misses, errors, timeouts and cold starts always are. */
  sampleRate: number
  /** Source of randomness for sampling, drawn once per invocation (inject it in tests). */
  random: () => number
  /** CloudWatch Embedded Metric Format: a second line on stdout with the metrics, never sampled. */
  emf: EmfOptions | undefined
  /** Add a `Server-Timing` header to HTTP responses (objects with a numeric `statusCode`). */
  serverTiming: boolean
  /**
   * Extra fields for the record; they never replace the record's own fields. The request is typed
   * with the middleware's event and result: `timingLogger<SQSEvent>({ fields: ({ event }) => … })`.
   */
  fields: ((request: Request<TEvent, TResult>, record: Readonly<TimingRecord>) => Record<string, unknown> | undefined) | undefined
  /** Your own summary of the invocation's outbound calls, instead of the outbound package's. */
  summarizeOutbound: ((deadline: Deadline) => unknown) | undefined
}

/**
 * 0.8: a function that regularly uses 80 % of its timeout is one slow dependency (a retry, a
 * cold downstream, a GC pause on a small memory size) away from `Task timed out`, while the
 * ordinary jitter of a healthy function (tens of percent of its usual duration, which itself
 * should sit well under the timeout) rarely reaches it: the warning fires before the failure,
 * and rarely for nothing.
 */
export const DEFAULT_NEAR_MISS_THRESHOLD = 0.8

export const defaults: TimingLoggerOptions = {
  logger: undefined,
  nearMissThreshold: DEFAULT_NEAR_MISS_THRESHOLD,
  sampleRate: 1,
  random: Math.random,
  emf: undefined,
  serverTiming: false,
  fields: undefined,
  summarizeOutbound: undefined,
}

// CloudWatch allows at most 30 dimensions in a set.
const MAX_DIMENSIONS = 30
// Members of the EMF document that a dimension must not overwrite.
const RESERVED_MEMBERS = ['_aws', 'requestId', 'Duration', 'Remaining', 'NearMiss', 'TimedOut', 'ColdStart', 'TimeoutUsed']

export function validate<TEvent, TResult>(options: Partial<TimingLoggerOptions<TEvent, TResult>>): TimingLoggerOptions<TEvent, TResult> {
  check.unknownKeys(options, Object.keys(defaults))
  return {
    logger: validateLogger(options.logger),
    nearMissThreshold: check.ratio('nearMissThreshold', options.nearMissThreshold ?? defaults.nearMissThreshold),
    sampleRate: validateSampleRate(options.sampleRate ?? defaults.sampleRate),
    random: check.fn('random', options.random ?? defaults.random),
    emf: validateEmf(options.emf),
    serverTiming: check.boolean('serverTiming', options.serverTiming ?? defaults.serverTiming),
    fields: check.optionalFn('fields', options.fields),
    summarizeOutbound: check.optionalFn('summarizeOutbound', options.summarizeOutbound),
  }
}

function fail(option: string, problem: string): never {
  throw new DeadlineOptionError(PACKAGE, option, problem)
}

function validateLogger(logger: unknown): TimingLoggerSink | undefined {
  if (logger === undefined) return undefined
  const sink = logger as Partial<TimingLoggerSink> | null
  if (typeof sink?.info !== 'function' || typeof sink.warn !== 'function') fail('logger', 'must have info() and warn() methods')
  return sink as TimingLoggerSink
}

function validateSampleRate(value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail('sampleRate', `must be a number in [0, 1], got ${String(value)}`)
  return value as number
}

function validateEmf(emf: unknown): EmfOptions | undefined {
  if (emf === undefined) return undefined
  const { namespace, dimensions, ...rest } = (emf ?? {}) as Partial<EmfOptions>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) fail(`emf.${unknown[0]}`, 'is not an EMF option (known: namespace, dimensions)')
  if (typeof namespace !== 'string' || namespace.trim() === '' || namespace.length > 255)
    fail('emf.namespace', `must be a non-empty string of at most 255 characters, got ${JSON.stringify(namespace)}`)
  if (dimensions === undefined) return { namespace }
  if (typeof dimensions !== 'object' || dimensions === null) fail('emf.dimensions', 'must be an object of name → value')
  const entries = Object.entries(dimensions)
  if (entries.length === 0 || entries.length > MAX_DIMENSIONS)
    fail('emf.dimensions', `must have 1 to ${MAX_DIMENSIONS} entries, got ${entries.length}`)
  for (const [name, value] of entries) {
    if (RESERVED_MEMBERS.includes(name)) fail(`emf.dimensions.${name}`, `is a member of the EMF document (${RESERVED_MEMBERS.join(', ')})`)
    if (typeof value !== 'string' || value.trim() === '')
      fail(`emf.dimensions.${name}`, `must be a non-empty string, got ${JSON.stringify(value)}`)
  }
  return { namespace, dimensions: { ...dimensions } }
}
