import { boundedObject, callGuarded, jsonLine, readSafely, warnOnFailure } from '@middy-deadline/deadline/internal'
import { PACKAGE, type TimingLogEntry, type TimingLoggerOptions } from './options.js'
import type { Outcome, TimingRecord } from './record.js'
import { isoTimestamp } from './timestamp.js'

export type Level = 'INFO' | 'WARN'

/**
 * Routine records (a success or an early response, warm, well within the budget) are sampled;
 * the ones someone will go looking for are always written. The draw is made per invocation, so
 * concurrent invocations and a frozen-and-thawed process sample independently.
 */
export function isSampledOut(
  outcome: Outcome,
  nearMiss: boolean,
  coldStart: boolean,
  { sampleRate, random }: Pick<TimingLoggerOptions, 'sampleRate' | 'random'>,
): boolean {
  if (sampleRate >= 1) return false
  const routine = (outcome === 'success' || outcome === 'early-response') && !nearMiss && !coldStart
  if (!routine) return false
  // A draw that fails, or is not a number, keeps the record: when in doubt, write.
  const draw = callGuarded(random, undefined, [], warnOnFailure('random', PACKAGE, 'random() failed; the record is written'))
  return typeof draw === 'number' && draw >= sampleRate
}

/**
 * The record's fields that Powertools Logger (2.x) writes itself, from the Lambda context, on every
 * line of a function that uses its `injectLambdaContext`, and the names it writes them under. Through
 * such a logger they take its names (and its string for the memory size): each is in the line once,
 * Powertools' or ours, with the same value, whether or not the context was injected.
 */
const POWERTOOLS_NAMES: ReadonlyMap<string, string> = new Map([
  ['requestId', 'function_request_id'],
  ['coldStart', 'cold_start'],
  ['functionName', 'function_name'],
  ['memoryLimitMB', 'function_memory_size'],
])

/**
 * The renaming a logger needs, decided once when the middleware is created: Powertools Logger's
 * names for the Lambda context, or none. Recognised by the methods only it has; a logger whose
 * properties cannot be read is taken as any other logger.
 */
export function loggerNames(logger: TimingLoggerOptions['logger']): ReadonlyMap<string, string> | undefined {
  if (logger === undefined) return undefined
  try {
    const candidate = logger as unknown as Record<string, unknown>
    const powertools = typeof candidate.injectLambdaContext === 'function' && typeof candidate.addContext === 'function'
    return powertools ? POWERTOOLS_NAMES : undefined
  } catch {
    return undefined
  }
}

/**
 * Default output: the record as one JSON line for stdout (bounded, see `jsonLine`), `timestamp`,
 * `level` and `message` first (the fields Lambda's JSON log format and CloudWatch Logs Insights look
 * for). A logger gets the fields that apply, without `timestamp` and `level` (it adds its own),
 * under the names it uses for those it writes itself (`names`), and the line is empty. A logger
 * that throws or rejects costs nothing but a warning: the record goes to stdout instead (at once
 * for a throw, when the rejection comes for a promise). `userData`: the record holds values of the
 * user's (`fields`, `summarizeOutbound`), which the logger gets within the same bound as a line.
 */
export function recordLine(
  record: TimingRecord,
  level: Level,
  logger: TimingLoggerOptions['logger'],
  timestamp: number,
  names: ReadonlyMap<string, string> | undefined,
  userData: boolean,
): string {
  if (logger === undefined) return jsonLine(record)
  let entry = {} as TimingLogEntry
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue
    const name = names?.get(key)
    if (name === undefined) entry[key] = value
    else entry[name] = name === 'function_memory_size' ? String(value) : value
  }
  if (userData) entry = boundedObject(entry)
  let line = ''
  let returned = false
  const write = readSafely(logger, level === 'WARN' ? 'warn' : 'info') as (entry: TimingLogEntry) => unknown
  callGuarded(write, logger, [entry], (error) => {
    loggerFailed(error)
    // On stdout, the record's own names: the line is not the logger's.
    const fallback: Record<string, unknown> = { timestamp: isoTimestamp(timestamp), level }
    for (const [key, value] of Object.entries(record)) if (value !== undefined) fallback[key] = value
    if (returned) process.stdout.write(jsonLine(fallback))
    else line = jsonLine(fallback)
  })
  returned = true
  return line
}

const loggerFailed = warnOnFailure('logger', PACKAGE, 'the logger failed; the timing record went to stdout instead')
