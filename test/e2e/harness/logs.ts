/**
 * Reading what a function logged. The runtime client rewrites `console.*` output: one line per
 * call, `timestamp<TAB>requestId<TAB>LEVEL<TAB>message` in text format (the default), or a JSON
 * object with the same fields in JSON format (always so in multi-concurrency mode). Anything
 * written straight to `process.stdout`/`stderr` arrives as it was written.
 */
export interface LogLine {
  raw: string
  timestamp: string | undefined
  requestId: string | undefined
  level: string | undefined
  message: string
}

export function parseLogLine(raw: string): LogLine {
  const fields = raw.split('\t')
  if (fields.length >= 4 && /^\d{4}-\d\d-\d\dT/.test(fields[0] as string)) {
    const [timestamp, requestId, level, ...rest] = fields
    return { raw, timestamp, requestId, level, message: rest.join('\t') }
  }
  const json = parseObject(raw)
  if (json !== undefined && isRuntimeEnvelope(json)) {
    return { raw, timestamp: json.timestamp, requestId: json.requestId, level: json.level, message: json.message }
  }
  // A JSON line written directly (a structured record) still says whose it is, if it has a requestId.
  const field = (key: string) => (typeof json?.[key] === 'string' ? (json[key] as string) : undefined)
  return { raw, timestamp: field('timestamp'), requestId: field('requestId'), level: field('level'), message: raw }
}

/**
 * Every JSON object in `logs`: whole lines written as JSON (`process.stdout.write`), and console
 * messages that are a JSON string (`console.log(JSON.stringify(record))`).
 */
export function jsonRecords(logs: readonly string[]): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = []
  for (const raw of logs) {
    const record = parseObject(parseLogLine(raw).message)
    if (record !== undefined) records.push(record)
  }
  return records
}

/** The log lines whose message contains `text`. */
export function linesWith(logs: readonly string[], text: string): string[] {
  return logs.filter((raw) => parseLogLine(raw).message.includes(text))
}

const ENVELOPE_KEYS = new Set(['timestamp', 'level', 'requestId', 'tenantId', 'message', 'errorType', 'errorMessage', 'stackTrace'])

/** The runtime's own JSON log line: exactly its fields, with the console message as a string. */
function isRuntimeEnvelope(
  json: Record<string, unknown>,
): json is { timestamp: string; level: string; requestId: string; message: string } {
  return (
    typeof json.timestamp === 'string' &&
    typeof json.requestId === 'string' &&
    typeof json.level === 'string' &&
    typeof json.message === 'string' &&
    Object.keys(json).every((key) => ENVELOPE_KEYS.has(key))
  )
}

function parseObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) return undefined
  try {
    const value: unknown = JSON.parse(trimmed)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
