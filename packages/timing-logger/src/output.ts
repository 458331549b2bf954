import { warnOnce } from '@middy-deadline/deadline'
import { PACKAGE, type TimingLogEntry, type TimingLoggerOptions } from './options.js'
import type { TimingRecord } from './record.js'

export type Level = 'INFO' | 'WARN'

export function levelOf(record: TimingRecord): Level {
  return record.nearMiss || record.outcome === 'timeout' ? 'WARN' : 'INFO'
}

/**
 * Routine records (a success or an early response, warm, well within the budget) are sampled;
 * the ones someone will go looking for are always written. The draw is made per invocation, so
 * concurrent invocations and a frozen-and-thawed process sample independently.
 */
export function isSampledOut(
  record: Pick<TimingRecord, 'outcome' | 'nearMiss' | 'coldStart'>,
  config: Pick<TimingLoggerOptions, 'sampleRate' | 'random'>,
): boolean {
  if (config.sampleRate >= 1) return false
  const routine = (record.outcome === 'success' || record.outcome === 'early-response') && !record.nearMiss && !record.coldStart
  return routine && !(config.random() < config.sampleRate)
}

/**
 * Default output: one JSON line on stdout with `timestamp`, `level` and `message` first, the
 * fields Lambda's JSON log format and CloudWatch Logs Insights look for. A single `write` keeps
 * the line whole when other code logs at the same time.
 */
export function writeRecord(record: TimingRecord, level: Level, logger: TimingLoggerOptions['logger'], timestamp: number): void {
  if (logger === undefined) {
    writeLine({ timestamp: new Date(timestamp).toISOString(), level, ...record })
    return
  }
  try {
    const fields = record as unknown as TimingLogEntry
    if (level === 'WARN') logger.warn(fields)
    else logger.info(fields)
  } catch (error) {
    warnOnce(`logger:${String(error)}`, PACKAGE, 'the logger threw; the timing record went to stdout instead', { error: String(error) })
    writeLine({ timestamp: new Date(timestamp).toISOString(), level, ...record })
  }
}

export function writeLine(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}
