/**
 * What we say about a value someone handed us (a thrown value, a rejected promise's reason, an
 * option), as a short string, without ever throwing. `String(value)` throws for an object without
 * a prototype, a `toString` that throws, a revoked proxy, a symbol inside a template: a warning
 * about a failure must not become a failure of its own. Only `name`, `message` and `cause` are read,
 * each on its own guard; nothing is converted through a user's `toString`.
 */
export function describeError(value: unknown): string {
  return redactUrls(clip(describe(value, 0), MAX_DESCRIPTION))
}

/** A value as an option error shows it after `got`: strings quoted, objects by their kind. */
export function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(clip(value, 60)) : kindOf(value)
}

/**
 * Removes what a URL must never carry into a log line or an error we throw: credentials, query
 * string and fragment (`https://user:pass@host/a?token=x#y` → `https://host/a`). Secrets in the path
 * are not recognisable as such: records describe targets by origin, see outbound-fetch-timeout.
 */
export function redactUrls(text: string): string {
  return text.replace(URL_PATTERN, '$1$2')
}

// scheme://[userinfo@]rest-of-authority-and-path[?query][#fragment]; userinfo and what follows `?`/`#` go.
const URL_PATTERN = /\b([a-z][\w+.-]*:\/\/)(?:[^\s/?#@]*@)?([^\s?#]*)(?:[?#][^\s]*)?/gi

// Long enough for an error's name, message and two causes; short enough for a log line.
const MAX_DESCRIPTION = 600
// Errors rarely wrap deeper; the bound also stops a cause cycle.
const MAX_CAUSES = 3

type Primitive = string | number | bigint | boolean | symbol | undefined | null

function describe(value: unknown, depth: number): string {
  if (typeof value !== 'object' || value === null) return kindOf(value)
  const name = stringAt(value, 'name')
  const message = stringAt(value, 'message')
  let text = name && message ? `${name}: ${message}` : name || message || kindOf(value)
  const cause = depth < MAX_CAUSES ? read(value, 'cause') : undefined
  if (cause !== undefined) text += ` (cause: ${describe(cause, depth + 1)})`
  return text
}

/** A value by its kind (a function, an array, an object), or a primitive as it reads. */
function kindOf(value: unknown): string {
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object' && value !== null) return isArray(value) ? 'an array' : 'an object'
  return primitive(value as Primitive)
}

function primitive(value: Primitive): string {
  // String() of a symbol is its description; a bigint gets its `n` so that it reads as one.
  return clip(typeof value === 'bigint' ? `${value}n` : String(value), MAX_DESCRIPTION)
}

function read(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

function stringAt(object: object, key: string): string {
  const value = read(object, key)
  return typeof value === 'string' ? clip(value, MAX_DESCRIPTION / 2) : ''
}

// Array.isArray throws on a revoked proxy.
function isArray(value: object): boolean {
  try {
    return Array.isArray(value)
  } catch {
    return false
  }
}

/** `text` cut to `max` characters, marked with `…` when cut. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
