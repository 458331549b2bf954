import { epochMs, type Json, num, parseObject, str } from './fields.js'

/** One log event, whatever wrapped it: the message, and when and where it was written if known. */
export interface LogEvent {
  message: string
  /** Epoch ms, from the wrapper (CloudWatch's event time) when there is one. */
  timestamp?: number | undefined
  /** The CloudWatch log stream, when the wrapper says (aws logs tail, filter-log-events). */
  stream?: string | undefined
}

/** What the unwrapper could not use; every line ends up counted somewhere. */
export interface UnwrapCounts {
  /** Lines that were part of a wrapper and carried no event of their own (`"events": [`, `}`). */
  containerLines: number
  /** A multi-line JSON message (aws logs tail --format json) that never closed, or grew too long. */
  truncated: number
}

// `aws logs tail` (aws-cli's logs/tail.py): `detailed` prints `<iso timestamp with offset> <stream> <message>`,
// `short` prints `<YYYY-MM-DDTHH:MM:SS> <message>`, `json` is `detailed` with a JSON message
// pretty-printed on the following lines, `none` prints each event as one JSON object.
const DETAILED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (\S+)(?: (.*))?$/
const SHORT = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d) (.*)$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** `aws logs filter-log-events --output json`: four-space indented, one key per line. */
const FLE_START = /^\s*"events": \[\s*$/
const FLE_TAIL = /^\s*"(?:nextToken|searchedLogStreams)": /
const FLE_FIELD = /^\s*"(message|timestamp|logStreamName|eventId|ingestionTime)": (.*?),?\s*$/
/** `aws logs filter-log-events --output text`: keys in alphabetical order, tab-separated. */
const TEXT_EVENT = /^EVENTS\t/
/** A multi-line JSON message longer than this is given up on (CloudWatch's own limit is 256 KB). */
const MAX_PENDING_CHARS = 1 << 20

interface PendingMessage {
  timestamp: number | undefined
  stream: string
  lines: string[]
  chars: number
  depth: number
}

/**
 * Turns raw lines into log events, taking off what `aws logs tail` and `aws logs filter-log-events`
 * put around each message. Stateful: some of those formats spread one event over several lines.
 */
export class Unwrapper {
  readonly counts: UnwrapCounts = { containerLines: 0, truncated: 0 }
  readonly #emit: (event: LogEvent) => void
  /** Inside `"events": [` of filter-log-events JSON output. */
  #inEvents = false
  /** A lone `{` line: the start of filter-log-events output if `"events": [` follows. */
  #openBrace = false
  /** Past the events list of filter-log-events output, until its closing `}`. */
  #afterEvents = false
  #fleEvent: Json | undefined
  /** A tail --format json message being assembled: its head and its lines so far. */
  #pending: PendingMessage | undefined
  /** A text-output event whose message ended in a newline: its timestamp is on the next line. */
  #textEvent: LogEvent | undefined

  constructor(emit: (event: LogEvent) => void) {
    this.#emit = emit
  }

  push(line: string): void {
    if (this.#pending !== undefined) {
      this.#continuePending(line)
      return
    }
    if (this.#textEvent !== undefined) {
      const event = this.#textEvent
      this.#textEvent = undefined
      const timestamp = /^\t?(\d{10,})\s*$/.exec(line)
      if (timestamp !== null) {
        this.#emit({ ...event, timestamp: Number(timestamp[1]) })
        return
      }
      this.#emit(event)
    }
    if (this.#inEvents) {
      this.#eventsLine(line)
      return
    }
    if (this.#openBrace) {
      this.#openBrace = false
      if (FLE_START.test(line)) this.counts.containerLines++
      else this.#plainLine('{')
    }
    if (FLE_START.test(line)) {
      this.#inEvents = true
      this.counts.containerLines++
      return
    }
    if (line === '{') {
      this.#openBrace = true
      return
    }
    if (this.#afterEvents) {
      if (line === '}') this.#afterEvents = false
      if (line === '}' || FLE_TAIL.test(line)) {
        this.counts.containerLines++
        return
      }
      this.#afterEvents = false
    }
    if (TEXT_EVENT.test(line)) {
      this.#textLine(line)
      return
    }
    this.#plainLine(line)
  }

  /** End of input: whatever is half assembled is emitted or counted. */
  end(): void {
    if (this.#openBrace) this.#plainLine('{')
    this.#openBrace = false
    if (this.#textEvent !== undefined) this.#emit(this.#textEvent)
    this.#textEvent = undefined
    if (this.#pending !== undefined) this.counts.truncated++
    this.#pending = undefined
    this.#flushFleEvent()
  }

  #plainLine(line: string): void {
    const detailed = DETAILED.exec(line)
    // A raw `Task timed out` line is `<timestamp> <request id> …`: a request id is not a stream.
    if (detailed !== null && !UUID.test(detailed[2] as string)) {
      const timestamp = epochMs(detailed[1])
      const stream = detailed[2] as string
      const message = detailed[3] ?? ''
      if (message === '') {
        this.#pending = { timestamp, stream, lines: [], chars: 0, depth: 0 }
        return
      }
      this.#emit({ message, timestamp, stream })
      return
    }
    const short = SHORT.exec(line)
    if (short !== null) {
      this.#emit({ message: short[2] as string, timestamp: epochMs(`${short[1]}Z`) })
      return
    }
    if (line.startsWith('{') && line.includes('"message"')) {
      const event = cloudWatchEvent(parseObject(line))
      if (event !== undefined) {
        this.#emit(event)
        return
      }
    }
    this.#emit({ message: line })
  }

  /**
   * One line of a pretty-printed JSON message (tail --format json, indented by 4): `{`, indented
   * lines, `}`. A line of any other shape means the message was cut off: it is counted and read as
   * a line of its own.
   */
  #continuePending(line: string): void {
    const pending = this.#pending as PendingMessage
    if (pending.lines.length === 0 && line !== '{') {
      // The head had an empty message after all.
      this.#pending = undefined
      this.#emit({ message: '', timestamp: pending.timestamp, stream: pending.stream })
      this.push(line)
      return
    }
    if (pending.lines.length > 0 && line !== '}' && !line.startsWith(' ')) {
      this.#pending = undefined
      this.counts.truncated++
      this.push(line)
      return
    }
    pending.lines.push(line)
    pending.chars += line.length
    pending.depth = braceDepth(line, pending.depth)
    if (pending.depth <= 0) {
      this.#pending = undefined
      const value = parseObject(pending.lines.join('\n'))
      if (value === undefined) this.counts.truncated++
      else this.#emit({ message: JSON.stringify(value), timestamp: pending.timestamp, stream: pending.stream })
    } else if (pending.chars > MAX_PENDING_CHARS) {
      this.#pending = undefined
      this.counts.truncated++
    }
  }

  #eventsLine(line: string): void {
    const trimmed = line.trim()
    if (trimmed === '{') {
      this.#flushFleEvent()
      this.#fleEvent = {}
      this.counts.containerLines++
      return
    }
    if (trimmed === '}' || trimmed === '},') {
      this.#flushFleEvent()
      this.counts.containerLines++
      return
    }
    if (trimmed === ']' || trimmed === '],') {
      this.#flushFleEvent()
      this.#inEvents = false
      this.#afterEvents = true
      this.counts.containerLines++
      return
    }
    const field = FLE_FIELD.exec(line)
    if (field !== null && this.#fleEvent !== undefined) {
      try {
        this.#fleEvent[field[1] as string] = JSON.parse(field[2] as string)
      } catch {
        // A value cut short: the event goes without it (and is dropped if it was the message).
      }
      return
    }
    // Not filter-log-events output after all (a stray `"events": [`): read the line as any other.
    this.#inEvents = false
    if (this.#fleEvent !== undefined) this.counts.truncated++
    this.#fleEvent = undefined
    this.push(line)
  }

  #flushFleEvent(): void {
    const event = this.#fleEvent
    this.#fleEvent = undefined
    if (event === undefined) return
    const unwrapped = cloudWatchEvent(event)
    if (unwrapped === undefined) this.counts.truncated++
    else this.#emit(unwrapped)
  }

  #textLine(line: string): void {
    // EVENTS <eventId> <ingestionTime> <logStreamName> <message…> <timestamp>; the message may hold tabs.
    const fields = line.split('\t')
    const last = fields[fields.length - 1] as string
    const stream = fields[3]
    if (fields.length >= 6 && /^\d{10,}$/.test(last)) {
      this.#emit({ message: fields.slice(4, -1).join('\t').replace(/\s+$/, ''), timestamp: Number(last), stream })
      return
    }
    // The message ended in a newline, which the text output kept: the timestamp is on the next line.
    this.#textEvent = { message: fields.slice(4).join('\t').replace(/\s+$/, ''), stream }
  }
}

/** A CloudWatch Logs event object (`FilteredLogEvent`, or aws logs tail --format none). */
export function cloudWatchEvent(value: Json | undefined): LogEvent | undefined {
  if (value === undefined) return undefined
  const message = str(value, 'message')
  const stream = str(value, 'logStreamName')
  if (message === undefined || (stream === undefined && !('eventId' in value) && num(value, 'ingestionTime') === undefined))
    return undefined
  return { message: message.replace(/\s+$/, ''), timestamp: epochMs(value.timestamp), stream }
}

/** Brace depth after `line`, counting only braces outside JSON strings. */
function braceDepth(line: string, depth: number): number {
  let inString = false
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 /* { */) depth++
    else if (c === 125 /* } */) depth--
  }
  return depth
}
