/**
 * The most bytes one line we write may take, its newline included. CloudWatch Logs takes an event
 * of up to 256 KB and Lambda cuts longer lines into several events, each of them invalid JSON: a
 * quarter of that leaves room for the runtime's own prefix and for a line of someone else's.
 */
export const MAX_LINE_BYTES = 64 * 1024

/**
 * `value` as one line of JSON, newline included, of at most `MAX_LINE_BYTES` bytes, whatever it
 * holds: a BigInt, a cycle, a `toJSON` or a getter that throws, a proxy, a huge string. The usual
 * record takes the fast path (`JSON.stringify`); one that cannot be serialised, or is too long, is
 * written again member by member within the bound: a BigInt becomes its digits, a value that cannot
 * be read or serialised a string saying so (`"[unreadable]"`, `"[unserializable]"`, `"[…]"` for a
 * cycle or a depth past 12); what does not fit is left out and long strings are cut (ending in `…`),
 * and then the line ends with `"truncated":true`. Never throws.
 */
export function jsonLine(value: object): string {
  let line: string | undefined
  try {
    line = JSON.stringify(value)
  } catch {
    // A BigInt, a cycle, a throwing toJSON or getter: the careful path below copes with each.
  }
  if (typeof line === 'string' && fits(line)) return `${line}\n`
  return `${boundedJson(value)}\n`
}

// A UTF-16 unit is at most 3 bytes of UTF-8: most lines are short enough not to count.
const fits = (line: string): boolean => line.length * 3 < MAX_LINE_BYTES || Buffer.byteLength(line) < MAX_LINE_BYTES

/** A copy of `value` that `JSON.stringify` writes within the bound: `value` itself when it already does. */
export function boundedObject<T extends object>(value: T): T {
  let line: string | undefined
  try {
    line = JSON.stringify(value)
  } catch {
    // As above.
  }
  if (typeof line === 'string' && fits(line)) return value
  return JSON.parse(boundedJson(value)) as T
}

// In a line that is already too long, no one string gets more than this.
const MAX_STRING = 8 * 1024
// Deeper than any record of ours; a user's value nested further is cut there.
const MAX_DEPTH = 12
const TRUNCATED = '"truncated":true'
const UNREADABLE = Symbol('unreadable')

function boundedJson(root: unknown): string {
  // The text is ASCII only (see `quote`), so characters are bytes. Room is kept for the newline,
  // the truncation member, and the comma and brace around it.
  let budget = MAX_LINE_BYTES - 1 - TRUNCATED.length - 2
  let truncated = false
  // Stryker disable next-line ArrayDeclaration: `path.includes(object)` never matches a string put in it.
  const path: object[] = []

  const take = (text: string): string | undefined => {
    if (text.length > budget) {
      truncated = true
      return undefined
    }
    budget -= text.length
    return text
  }

  const quote = (text: string): string => {
    if (text.length > MAX_STRING) {
      truncated = true
      text = `${text.slice(0, MAX_STRING - 1)}…`
    }
    // JSON.stringify escapes quotes, control characters and lone surrogates; escaping the rest of
    // what is not ASCII makes every character one byte, so that the budget counts bytes.
    return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  }

  // The JSON text of `value`, or `undefined` where JSON leaves it out or nothing more fits.
  const write = (value: unknown, depth: number): string | undefined => {
    if (value === UNREADABLE) return take('"[unreadable]"')
    switch (typeof value) {
      case 'string':
        return take(quote(value))
      case 'number':
        return take(Number.isFinite(value) ? String(value) : 'null')
      case 'boolean':
        return take(String(value))
      case 'bigint':
        return take(quote(`${value}`))
      case 'object':
        return value === null ? take('null') : writeObject(value, depth)
      // Stryker disable next-line ConditionalExpression: emptied, the default case falls out of the switch, which returns undefined too.
      default:
        // undefined, functions and symbols: left out, as JSON.stringify does.
        return undefined
    }
  }

  const writeObject = (object: object, depth: number): string | undefined => {
    if (depth >= MAX_DEPTH || path.includes(object)) {
      truncated = true
      return take('"[…]"')
    }
    path.push(object)
    try {
      const toJSON = (object as { toJSON?: unknown }).toJSON
      if (typeof toJSON === 'function') return write(toJSON.call(object), depth + 1)
      const array = Array.isArray(object)
      if (take('{}') === undefined) return undefined
      const parts: string[] = []
      const keys = array ? undefined : namedFirst(Object.keys(object))
      const length = array ? (object as unknown[]).length : (keys as string[]).length
      for (let index = 0; index < length; index++) {
        if (budget <= 0) {
          truncated = true
          break
        }
        const key = keys?.[index] as string
        const part = write(read(object, array ? index : key), depth + 1) ?? (array ? take('null') : undefined)
        const name = array ? '' : part === undefined ? undefined : take(`${quote(key)}:`)
        if (part === undefined || name === undefined || (parts.length > 0 && take(',') === undefined)) continue
        parts.push(name + part)
      }
      return array ? `[${parts.join(',')}]` : `{${parts.join(',')}}`
    } catch {
      truncated = true
      return take('"[unserializable]"')
    } finally {
      path.pop()
    }
  }

  const text = write(root, 0) ?? '{}'
  if (!truncated || !text.endsWith('}')) return text
  return text === '{}' ? `{${TRUNCATED}}` : `${text.slice(0, -1)},${TRUNCATED}}`
}

/**
 * An object's keys with the named ones first, in the order they were added: JavaScript lists
 * integer-like keys (`"0"`, `"42"`) before every other, so a user's field named `"0"` would come
 * before a record's `level` and `message`, which must survive any cut.
 */
function namedFirst(keys: string[]): string[] {
  const index = (key: string) => /^(?:0|[1-9]\d*)$/.test(key)
  return keys.some(index) ? [...keys.filter((key) => !index(key)), ...keys.filter(index)] : keys
}

function read(object: object, key: string | number): unknown {
  try {
    return (object as Record<string | number, unknown>)[key]
  } catch {
    return UNREADABLE
  }
}
