import { warnOnce } from '@middy-deadline/deadline'
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
  return routine && !(random() < sampleRate)
}

/**
 * Default output: the record as one JSON line for stdout, `timestamp`, `level` and `message` first
 * (the fields Lambda's JSON log format and CloudWatch Logs Insights look for). A logger gets the
 * fields that apply, without `timestamp` and `level` (it adds its own), and the line is empty,
 * unless the logger throws.
 */
export function recordLine(record: TimingRecord, level: Level, logger: TimingLoggerOptions['logger'], timestamp: number): string {
  if (logger === undefined) return jsonLine(record)
  const entry = {} as TimingLogEntry
  for (const [key, value] of Object.entries(record)) if (value !== undefined) entry[key] = value
  try {
    if (level === 'WARN') logger.warn(entry)
    else logger.info(entry)
    return ''
  } catch (error) {
    warnOnce(`logger:${String(error)}`, PACKAGE, 'the logger threw; the timing record went to stdout instead', { error: String(error) })
    return jsonLine({ timestamp: isoTimestamp(timestamp), level, ...entry })
  }
}

export const jsonLine = (value: object): string => `${JSON.stringify(value)}\n`
