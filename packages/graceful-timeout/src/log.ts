import { PACKAGE, type TimeoutLogger } from './options.js'
import type { TimeoutRecord } from './record.js'
import { writeLineSync } from './write.js'

/** Writes the timeout record: to the user's logger if given, else as one JSON line on stdout. */
export function writeRecord(record: TimeoutRecord, logger: TimeoutLogger | undefined): void {
  if (logger !== undefined) {
    try {
      // The logger's method sets the level and the logger its own time (Powertools drops a `level`
      // or `timestamp` key, with a warning).
      const { level: _level, timestamp: _timestamp, ...entry } = record
      logger.error(entry)
      return
    } catch {
      // A broken logger must not cost us the record: fall through to stdout.
    }
  }
  writeLineSync(`${JSON.stringify(record)}\n`)
}

export function writeWarning(logger: TimeoutLogger | undefined, message: string, detail: Record<string, unknown>): void {
  const entry = { message, package: PACKAGE, ...detail }
  if (logger !== undefined) {
    try {
      logger.warn(entry)
      return
    } catch {
      // As above: say it on stdout instead.
    }
  }
  writeLineSync(`${JSON.stringify({ level: 'WARN', ...entry })}\n`)
}
