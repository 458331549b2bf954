import { readSafely } from '@middy-deadline/deadline/internal'

/** What the header shows: the figures of the record. */
export interface ServerTimingFigures {
  durationMs: number
  handlerMs?: number | undefined
  middlewareMs?: number | undefined
  coldStart: boolean
  initDurationMs?: number | undefined
}

/**
 * An API Gateway / Function URL response (an object with a numeric `statusCode`) with a
 * `Server-Timing` header: total, and with the plugin the handler and the middlewares. Browsers'
 * developer tools show it next to the request. Appends to a header already set, in whichever case
 * it was spelled. Names only, never values from the request.
 *
 * A copy: the response the handler (or a middleware) gave is never changed. A handler may return
 * one object for every invocation (the header would grow by one entry each time, and concurrent
 * invocations would write into the same object), or a frozen one. `undefined` when the response is
 * not an HTTP one, or cannot be read (then it goes out as it is, without the header).
 */
export function withServerTiming(response: unknown, figures: ServerTimingFigures): object | undefined {
  if (typeof response !== 'object' || response === null || typeof readSafely(response, 'statusCode') !== 'number') return undefined
  const given = readSafely(response, 'headers')
  const headers = given === undefined ? {} : given
  if (typeof headers !== 'object' || headers === null) return undefined
  const entries = [`total;dur=${ms(figures.durationMs)}`]
  if (figures.handlerMs !== undefined) entries.push(`handler;dur=${ms(figures.handlerMs)}`)
  if (figures.middlewareMs !== undefined) entries.push(`middleware;dur=${ms(figures.middlewareMs)}`)
  if (figures.coldStart && figures.initDurationMs !== undefined) entries.push(`init;dur=${ms(figures.initDurationMs)}`)
  const value = entries.join(', ')
  try {
    const copied: Record<string, unknown> = { ...headers }
    const existing = Object.keys(copied).find((name) => name.toLowerCase() === 'server-timing') ?? 'Server-Timing'
    const before = copied[existing]
    copied[existing] = typeof before === 'string' && before !== '' ? `${before}, ${value}` : value
    // Same prototype, own properties copied: JSON (what Lambda sends) sees the same object.
    return Object.assign(Object.create(Object.getPrototypeOf(response)) as object, response, { headers: copied })
  } catch {
    return undefined
  }
}

const ms = (value: number) => (Math.round(value * 10) / 10).toString()
