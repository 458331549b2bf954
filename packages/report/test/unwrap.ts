import { type LogEvent, Unwrapper } from '../src/envelope.js'

/** The events `lines` hold once their wrappers are taken off, and what the unwrapper counted. */
export function unwrap(lines: string[]): { events: LogEvent[]; unwrapper: Unwrapper } {
  const events: LogEvent[] = []
  const unwrapper = new Unwrapper((event) => events.push(event))
  for (const line of lines) unwrapper.push(line)
  unwrapper.end()
  return { events, unwrapper }
}
