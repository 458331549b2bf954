// Reading a parsed log record field by field. Records come from several versions of our packages
// and from other tools: a field of the wrong type is treated as absent, never trusted and never a
// crash. Own properties only: a record is data, and `__proto__` in a JSON line is just a key.

export type Json = Record<string, unknown>

const own = (object: Json, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined)

export function num(object: Json, key: string): number | undefined {
  const value = own(object, key)
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

export function str(object: Json, key: string): string | undefined {
  const value = own(object, key)
  return typeof value === 'string' ? value : undefined
}

export function bool(object: Json, key: string): boolean | undefined {
  const value = own(object, key)
  return typeof value === 'boolean' ? value : undefined
}

export function obj(object: Json, key: string): Json | undefined {
  const value = own(object, key)
  return isObject(value) ? value : undefined
}

export function list(object: Json, key: string): Json[] {
  const value = own(object, key)
  return Array.isArray(value) ? value.filter(isObject) : []
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `JSON.parse` for a line that should hold one object; undefined when it does not. */
export function parseObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** Epoch ms from an ISO 8601 string or a number of ms; undefined when neither. */
export function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value
  if (typeof value !== 'string') return undefined
  const parsed = Date.parse(value)
  return Number.isFinite(parsed) ? parsed : undefined
}

/**
 * A copy of a string that is kept for long (a request id, a stream name). A substring of a line is,
 * in V8, a view into that line's whole chunk of input: keeping one would keep the chunk.
 */
export function detached(text: string): string {
  return ` ${text}`.slice(1)
}
