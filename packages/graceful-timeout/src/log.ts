import { callGuarded, describeError, jsonLine } from '@middy-deadline/deadline/internal'
import { PACKAGE, type TimeoutLogger } from './options.js'
import type { TimeoutRecord } from './record.js'
import { writeLineSync } from './write.js'

/**
 * Writes the timeout record: to the user's logger if given, else as one JSON line on stdout. A
 * logger that throws, or whose promise rejects, must not cost us the record: it then goes to
 * stdout (later, for a rejection), with a warning that says why.
 */
export function writeRecord(record: TimeoutRecord, logger: TimeoutLogger | undefined): void {
  if (logger === undefined) {
    writeLineSync(jsonLine(record))
    return
  }
  // The logger's method sets the level and the logger its own time (Powertools drops a `level`
  // or `timestamp` key, with a warning).
  const { level: _level, timestamp: _timestamp, ...entry } = record
  callGuarded(logger.error, logger, [entry], (error) => {
    writeLineSync(jsonLine(record))
    writeWarning(undefined, 'the logger failed; the timeout record went to stdout', { error: describeError(error) })
  })
}

/** Writes a warning to the logger's `warn`, or (without one, or when it fails) as a JSON line on stdout. */
export function writeWarning(logger: TimeoutLogger | undefined, message: string, detail: Record<string, unknown>): void {
  const entry = { message, package: PACKAGE, ...detail }
  const toStdout = () => writeLineSync(jsonLine({ level: 'WARN', ...entry }))
  if (logger === undefined) toStdout()
  else callGuarded(logger.warn, logger, [entry], toStdout)
}
