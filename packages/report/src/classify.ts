import type { LogEvent } from './envelope.js'
import { bool, epochMs, isObject, type Json, list, num, obj, parseObject, str } from './fields.js'

/** What one log event says, once recognised. */
export type Fact =
  | { kind: 'start'; requestId: string; version: string | undefined; functionArn: string | undefined }
  | { kind: 'end'; requestId: string }
  | ({ kind: 'report'; requestId: string } & LambdaReport)
  | { kind: 'killed'; requestId: string; timeoutMs: number }
  | { kind: 'runtime-done'; requestId: string; status: string | undefined }
  | { kind: 'init'; functionName: string | undefined; version: string | undefined }
  | ({ kind: 'timing'; requestId: string } & TimingFacts)
  | ({ kind: 'timeout'; requestId: string } & TimeoutFacts)
  | { kind: 'warning'; package: string; message: string }
  | { kind: 'emf' }
  /** A line of the function's own (plain text, or the runtime's line around a plain message). */
  | { kind: 'other'; requestId: string | undefined }
  /** Starts like JSON and does not parse: cut short, or not JSON after all. */
  | { kind: 'malformed' }
  /** Well-formed JSON none of the above: another tool's record. */
  | { kind: 'foreign-json' }
  /** One of our records cut short by the line bound (`truncated: true`) past the fields the report needs. */
  | { kind: 'truncated-record'; requestId: string | undefined }

/** Lambda's REPORT line (text) or `platform.report` event (JSON log format). */
export interface LambdaReport {
  durationMs: number | undefined
  memorySizeMB: number | undefined
  maxMemoryUsedMB: number | undefined
  initDurationMs: number | undefined
  /** `timeout`, `error`, `success`…: only newer runtimes and the JSON format say it. */
  status: string | undefined
  errorType: string | undefined
}

/** The fields of timing-logger's record that the report uses. */
export interface TimingFacts {
  functionName: string | undefined
  functionVersion: string | undefined
  outcome: string
  durationMs: number
  budgetMs: number | undefined
  coldStart: boolean | undefined
  initDurationMs: number | undefined
  maxRssMB: number | undefined
  memoryLimitMB: number | undefined
  phases: { name: string; durationMs: number }[]
  calls: OutboundCallFact[]
  /** How many calls were made; more than `calls.length` when the record keeps only the slowest. */
  callsStarted: number | undefined
  outboundTotalMs: number | undefined
  /** Records of the invocation's event (a user field, added with timing-logger's `fields` hook). */
  batchSize: number | undefined
  /** A user field with the invoked ARN, when added: it names the alias. */
  invokedFunctionArn: string | undefined
  timestamp: number | undefined
  /** timing-logger's `sampleRate` (0 < rate < 1) when routine records were sampled. */
  sampleRate: number | undefined
  nearMiss: boolean | undefined
  /** The record stands for more invocations than itself: a routine record written at `sampleRate`. */
  sampled: boolean
  /** What the record had to leave out: cut by the line bound, phases or marks beyond the record's limits. */
  cut: RecordCut
}

/** What a record says it left out (the line bound of 64 KiB, and the per-record limits). */
export interface RecordCut {
  /** `truncated: true`: members that did not fit in the line were left out, long strings cut. */
  truncated: boolean
  droppedPhases: number
  droppedMarks: number
  droppedPending: number
}

export interface OutboundCallFact {
  target: string
  kind: string | undefined
  durationMs: number
  /** `ok`, `error`, `timeout`, `aborted`, or `pending` (still running at the cutoff or the end). */
  outcome: string
}

/** graceful-timeout's record, written at the cutoff by the invocation or by the watchdog thread. */
export interface TimeoutFacts {
  source: string
  reserveMs: number | undefined
  budgetMs: number | undefined
  elapsedMs: number | undefined
  pending: OutboundCallFact[]
  timestamp: number | undefined
  cut: RecordCut
}

const START = /^START RequestId: (\S+)(?:\s+Version: (\S+))?/
const END = /^END RequestId: (\S+)/
const REPORT = /^REPORT RequestId: (\S+)/
const TIMED_OUT = /(?:^|\s)(\S+)\s+Task timed out after ([\d.]+) seconds/
/** The Node runtime's text format: `timestamp<TAB>requestId<TAB>LEVEL<TAB>message`. */
const RUNTIME_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\t(\S+)\t([A-Z]+)\t([\s\S]*)$/
const GRACEFUL = '@middy-deadline/graceful-timeout'

export interface Classified {
  fact: Fact
  /** When the event was written: the wrapper's time, else the runtime's or the record's own. */
  timestamp: number | undefined
}

export function classify(event: LogEvent): Classified {
  const message = event.message
  const runtime = RUNTIME_LINE.exec(message)
  if (runtime !== null) {
    const [, at, requestId, , text] = runtime as unknown as [string, string, string, string, string]
    const timestamp = event.timestamp ?? epochMs(at)
    const timedOut = /^Task timed out after ([\d.]+) seconds/.exec(text)
    if (timedOut !== null) return { fact: { kind: 'killed', requestId, timeoutMs: seconds(timedOut[1]) }, timestamp }
    const inner = text.trimStart().startsWith('{') ? parseObject(text) : undefined
    const fact = inner === undefined ? ({ kind: 'other', requestId } as const) : classifyJson(inner, requestId)
    return { fact, timestamp: timestamp ?? timestampOf(fact) }
  }
  const head = message.charCodeAt(0)
  if (head === 83 /* S */ || head === 69 /* E */ || head === 82 /* R */) {
    const platform = platformText(message)
    if (platform !== undefined) return { fact: platform, timestamp: event.timestamp }
  }
  // The cheap test first: the pattern backtracks on long lines without the phrase.
  const timedOut = message.includes('Task timed out') ? TIMED_OUT.exec(message) : null
  if (timedOut !== null) {
    return {
      fact: { kind: 'killed', requestId: timedOut[1] as string, timeoutMs: seconds(timedOut[2]) },
      timestamp: event.timestamp ?? epochMs(message.split(/\s/, 1)[0]),
    }
  }
  const trimmed = head === 123 /* { */ ? message : message.trimStart()
  if (!trimmed.startsWith('{')) return { fact: { kind: 'other', requestId: undefined }, timestamp: event.timestamp }
  const json = parseObject(trimmed)
  if (json === undefined) return { fact: { kind: 'malformed' }, timestamp: event.timestamp }
  const fact = classifyJson(json, undefined)
  return { fact, timestamp: event.timestamp ?? timestampOf(fact) ?? epochMs(json.time) }
}

function platformText(message: string): Fact | undefined {
  const start = START.exec(message)
  if (start !== null) return { kind: 'start', requestId: start[1] as string, version: start[2], functionArn: undefined }
  const end = END.exec(message)
  if (end !== null) return { kind: 'end', requestId: end[1] as string }
  const report = REPORT.exec(message)
  if (report === null) return undefined
  const field = (pattern: RegExp) => {
    const match = pattern.exec(message)
    return match === null ? undefined : Number(match[1])
  }
  return {
    kind: 'report',
    requestId: report[1] as string,
    // Tabs separate the fields in CloudWatch; tools that re-print the line often turn them into spaces.
    durationMs: field(/(?<!Billed |Init |Restore )Duration: ([\d.]+) ms/),
    memorySizeMB: field(/Memory Size: (\d+) MB/),
    maxMemoryUsedMB: field(/Max Memory Used: (\d+) MB/),
    initDurationMs: field(/Init Duration: ([\d.]+) ms/),
    status: /Status: (\w+)/.exec(message)?.[1],
    errorType: /Error Type: (\S+)/.exec(message)?.[1],
  }
}

function classifyJson(json: Json, lineRequestId: string | undefined): Fact {
  const type = str(json, 'type')
  const record = obj(json, 'record')
  if (type?.startsWith('platform.') && record !== undefined) return platformJson(type, record)
  // The runtime's JSON log format wraps a console message: the record may be inside, as a string.
  const message = str(json, 'message')
  // Through Powertools Logger, timing-logger writes the Lambda context's facts under Powertools'
  // names for them (`function_request_id`, `cold_start`, `function_name`, `function_memory_size`).
  const requestId = str(json, 'requestId') ?? str(json, 'function_request_id') ?? lineRequestId
  const packageName = str(json, 'package')
  if (packageName === GRACEFUL && num(json, 'elapsedMs') !== undefined && requestId !== undefined)
    return { kind: 'timeout', requestId, ...timeoutFacts(json) }
  if (requestId !== undefined && num(json, 'durationMs') !== undefined && str(json, 'outcome') !== undefined)
    return { kind: 'timing', requestId, ...timingFacts(json) }
  // Cut so short that what identifies the record is gone: counted, never taken for someone else's.
  if (bool(json, 'truncated') === true && (requestId !== undefined || packageName?.startsWith('@middy-deadline/')))
    return { kind: 'truncated-record', requestId }
  if (packageName?.startsWith('@middy-deadline/') && message !== undefined) return { kind: 'warning', package: packageName, message }
  if (isObject(json._aws) && Array.isArray((json._aws as Json).CloudWatchMetrics)) return { kind: 'emf' }
  if (message?.trimStart().startsWith('{')) {
    const inner = parseObject(message)
    if (inner !== undefined) return classifyJson(inner, requestId)
  }
  if (message !== undefined && str(json, 'level') !== undefined && str(json, 'timestamp') !== undefined && requestId !== undefined)
    return { kind: 'other', requestId }
  return { kind: 'foreign-json' }
}

function platformJson(type: string, record: Json): Fact {
  const requestId = str(record, 'requestId')
  if (type === 'platform.initStart')
    return { kind: 'init', functionName: str(record, 'functionName'), version: str(record, 'functionVersion') }
  if (requestId === undefined) return { kind: 'other', requestId: undefined }
  if (type === 'platform.start')
    return { kind: 'start', requestId, version: str(record, 'version'), functionArn: str(record, 'functionArn') }
  if (type === 'platform.runtimeDone') return { kind: 'runtime-done', requestId, status: str(record, 'status') }
  if (type === 'platform.report') {
    const metrics = obj(record, 'metrics') ?? {}
    return {
      kind: 'report',
      requestId,
      durationMs: num(metrics, 'durationMs'),
      memorySizeMB: num(metrics, 'memorySizeMB'),
      maxMemoryUsedMB: num(metrics, 'maxMemoryUsedMB'),
      initDurationMs: num(metrics, 'initDurationMs'),
      status: str(record, 'status'),
      errorType: str(record, 'errorType'),
    }
  }
  return { kind: 'other', requestId }
}

function timingFacts(json: Json): TimingFacts {
  const outbound = obj(json, 'outbound')
  const outcome = str(json, 'outcome') as string
  const coldStart = bool(json, 'coldStart') ?? bool(json, 'cold_start')
  const nearMiss = bool(json, 'nearMiss')
  const rate = num(json, 'sampleRate')
  const sampleRate = rate !== undefined && rate > 0 && rate < 1 ? rate : undefined
  return {
    functionName: str(json, 'functionName') ?? str(json, 'function_name'),
    functionVersion: str(json, 'functionVersion'),
    outcome,
    durationMs: num(json, 'durationMs') as number,
    budgetMs: num(json, 'budgetMs'),
    coldStart,
    initDurationMs: num(json, 'initDurationMs'),
    maxRssMB: num(json, 'maxRssMB'),
    memoryLimitMB: num(json, 'memoryLimitMB') ?? numeric(str(json, 'function_memory_size')),
    phases: list(json, 'phases').flatMap((phase) => {
      const name = str(phase, 'name')
      const durationMs = num(phase, 'durationMs')
      return name === undefined || durationMs === undefined ? [] : [{ name, durationMs }]
    }),
    calls: outbound === undefined ? [] : list(outbound, 'slowest').flatMap((call) => callFact(call, str(call, 'outcome'))),
    callsStarted: outbound === undefined ? undefined : num(outbound, 'started'),
    outboundTotalMs: outbound === undefined ? undefined : num(outbound, 'totalMs'),
    batchSize: num(json, 'batchSize'),
    // Powertools' `function_arn` is the ARN the function was invoked by: it names the alias too.
    invokedFunctionArn: str(json, 'invokedFunctionArn') ?? str(json, 'function_arn'),
    timestamp: epochMs(json.timestamp),
    sampleRate,
    nearMiss,
    // timing-logger samples only routine records: a success or an early response, warm, no near-miss.
    sampled:
      sampleRate !== undefined && (outcome === 'success' || outcome === 'early-response') && nearMiss === false && coldStart === false,
    cut: cutOf(json),
  }
}

function timeoutFacts(json: Json): TimeoutFacts {
  return {
    source: str(json, 'source') ?? 'main',
    reserveMs: num(json, 'reserveMs'),
    budgetMs: num(json, 'budgetMs'),
    elapsedMs: num(json, 'elapsedMs'),
    pending: list(json, 'pending').flatMap((call) => callFact(call, 'pending')),
    timestamp: epochMs(json.timestamp),
    cut: cutOf(json),
  }
}

function cutOf(json: Json): RecordCut {
  return {
    truncated: bool(json, 'truncated') === true,
    droppedPhases: num(json, 'droppedPhases') ?? 0,
    droppedMarks: num(json, 'droppedMarks') ?? 0,
    droppedPending: num(json, 'droppedPending') ?? 0,
  }
}

/** Powertools writes the memory size as a string. */
function numeric(text: string | undefined): number | undefined {
  const value = Number(text)
  return text === undefined || text === '' || !Number.isFinite(value) ? undefined : value
}

function callFact(call: Json, outcome: string | undefined): OutboundCallFact[] {
  const durationMs = num(call, 'durationMs')
  const target = targetName(call)
  if (durationMs === undefined || target === undefined) return []
  return [{ target, kind: str(call, 'kind'), durationMs, outcome: outcome ?? 'unknown' }]
}

/**
 * One name per downstream: the call's label if it has one, else method and URL without query,
 * with id-like path segments folded (`/orders/123` and `/orders/456` are one target).
 */
export function targetName(call: Json): string | undefined {
  const label = str(call, 'label')
  if (label !== undefined && label !== '') return label
  const url = str(call, 'target') ?? str(call, 'url')
  if (url === undefined) return undefined
  const method = str(call, 'method')
  const path = url
    .split(/[?#]/, 1)[0]
    ?.split('/')
    .map((segment, index) => (index > 2 && /^(?:\d+|[0-9a-f-]{16,}|[0-9A-Za-z_-]{20,})$/.test(segment) ? '{id}' : segment))
    .join('/')
  return method === undefined ? path : `${method} ${path}`
}

function timestampOf(fact: Fact): number | undefined {
  return fact.kind === 'timing' || fact.kind === 'timeout' ? fact.timestamp : undefined
}

function seconds(text: string | undefined): number {
  return Math.round(Number(text) * 1000)
}
