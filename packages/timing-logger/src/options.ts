import type { Request } from '@middy/core'
import {
  boolean,
  checkOptions,
  type Deadline,
  fn,
  nested,
  number,
  refuse,
  refuseWith,
  text,
  within,
  withMethods,
} from '@middy-deadline/deadline/internal'
import type { TimingRecord } from './record.js'

export const PACKAGE = '@middy-deadline/timing-logger'

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

// CloudWatch's limits: at most 30 dimensions in a set, names of 1-255 characters, values of 1-1024.
const MAX_DIMENSIONS = 30
const MAX_DIMENSION_NAME = 255
const MAX_DIMENSION_VALUE = 1024
// Members of the EMF document that a dimension must not overwrite.
const RESERVED_MEMBERS = ['_aws', 'requestId', 'Duration', 'Remaining', 'NearMiss', 'TimedOut', 'ColdStart', 'TimeoutUsed']
const dimensionValue = text(MAX_DIMENSION_VALUE)

function dimensionsOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) refuse('an object of name → value', value)
  const entries = Object.entries(value as object)
  if (entries.length === 0 || entries.length > MAX_DIMENSIONS) refuseWith(`must have 1 to ${MAX_DIMENSIONS} entries, got ${entries.length}`)
  for (const [name, entry] of entries)
    within(`.${name}`, () => {
      if (RESERVED_MEMBERS.includes(name)) refuseWith(`is a member of the EMF document (${RESERVED_MEMBERS.join(', ')})`)
      if (name.length > MAX_DIMENSION_NAME) refuseWith(`is longer than ${MAX_DIMENSION_NAME} characters`)
      dimensionValue(entry)
    })
  return Object.fromEntries(entries)
}

const OPTIONS = {
  logger: withMethods<TimingLoggerSink>('info', 'warn'),
  nearMissThreshold: number(DEFAULT_NEAR_MISS_THRESHOLD, 0, 1, 'a number', false, true),
  sampleRate: number(1, 0, 1),
  random: fn(Math.random),
  emf: nested({ namespace: text(255), dimensions: dimensionsOf }),
  serverTiming: boolean(false),
  fields: fn<NonNullable<TimingLoggerOptions['fields']>>(),
  summarizeOutbound: fn<NonNullable<TimingLoggerOptions['summarizeOutbound']>>(),
}

export const validate = <TEvent, TResult>(options: unknown) =>
  checkOptions(PACKAGE, OPTIONS, options) as TimingLoggerOptions<TEvent, TResult>
