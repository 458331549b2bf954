import { describeError } from './internal/describe.js'
import { jsonLine } from './internal/json-line.js'

// Process-wide on purpose (per runtime worker thread in multi-concurrency mode, where each thread
// loads its own copy): a misconfigured context repeats on every invocation, and one line that
// explains it is more useful than a line per invocation drowning the function's own logs.
const warned = new Set<string>()
// Some keys carry an error's message; if those differ on every invocation (an id in the message),
// the set must not grow with the number of invocations.
const MAX_KEYS = 500

/** Writes one JSON WARN line the first time `key` is seen in this process (or runtime worker thread). */
export function warnOnce(key: string, packageName: string, message: string, detail?: Record<string, unknown>): void {
  if (warned.has(key)) return
  if (warned.size >= MAX_KEYS) {
    if (warned.has(OVERFLOW)) return
    warned.add(OVERFLOW)
    write({ level: 'WARN', package: packageName, message: `more than ${MAX_KEYS} distinct warnings: no further ones are logged` })
    return
  }
  warned.add(key)
  write({ level: 'WARN', package: packageName, message, ...detail })
}

/**
 * What to do when a function someone handed us fails (see `callGuarded`): a warning with the thrown
 * value described safely, once per distinct failure under `key` (or once for `key` at all, for a
 * function called per item, whose failures differ by the item).
 */
export const warnOnFailure =
  (key: string, packageName: string, message: string, perFailure = true) =>
  (error: unknown): void => {
    const description = describeError(error)
    warnOnce(perFailure ? `${key}:${description}` : key, packageName, message, { error: description })
  }

const OVERFLOW = '\u0000overflow'

function write(line: Record<string, unknown>): void {
  process.stderr.write(jsonLine(line))
}
