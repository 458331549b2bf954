import type { TimingRecord } from './record.js'

/**
 * Adds a `Server-Timing` header to an API Gateway / Function URL response (an object with a
 * numeric `statusCode`): total, and with the plugin the handler and the middlewares. Browsers'
 * developer tools show it next to the request. Appends to a header already set, in whichever
 * case it was spelled. Names only, never values from the request.
 */
export function addServerTiming(response: unknown, record: TimingRecord): void {
  if (typeof response !== 'object' || response === null) return
  const http = response as { statusCode?: unknown; headers?: unknown }
  if (typeof http.statusCode !== 'number') return
  if (http.headers !== undefined && (typeof http.headers !== 'object' || http.headers === null)) return
  http.headers ??= {}
  const headers = http.headers as Record<string, unknown>

  const entries = [`total;dur=${ms(record.durationMs)}`]
  if (record.handlerMs !== undefined) entries.push(`handler;dur=${ms(record.handlerMs)}`)
  if (record.middlewareMs !== undefined) entries.push(`middleware;dur=${ms(record.middlewareMs)}`)
  if (record.coldStart && record.initDurationMs !== undefined) entries.push(`init;dur=${ms(record.initDurationMs)}`)
  const value = entries.join(', ')

  const existing = Object.keys(headers).find((name) => name.toLowerCase() === 'server-timing')
  if (existing === undefined) headers['Server-Timing'] = value
  else headers[existing] = typeof headers[existing] === 'string' && headers[existing] !== '' ? `${headers[existing]}, ${value}` : value
}

const ms = (value: number) => (Math.round(value * 10) / 10).toString()
