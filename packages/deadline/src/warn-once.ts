// Process-wide on purpose: a misconfigured context repeats on every invocation, and one line that
// explains it is more useful than a line per invocation drowning the function's own logs.
const warned = new Set<string>()

/** Writes one JSON WARN line the first time `key` is seen in this process. */
export function warnOnce(key: string, packageName: string, message: string, detail?: Record<string, unknown>): void {
  if (warned.has(key)) return
  warned.add(key)
  process.stderr.write(`${JSON.stringify({ level: 'WARN', package: packageName, message, ...detail })}\n`)
}
