import { afterEach, describe, expect, it, vi } from 'vitest'
import { Attribution } from '../src/attribution.js'
import { classify } from '../src/classify.js'
import { logGroupEvents } from '../src/cloudwatch.js'
import type { LogEvent } from '../src/envelope.js'
import {
  buildReport,
  type FunctionReport,
  type Report,
  ReportBuilder,
  ReportOptionError,
  renderHtml,
  renderText,
  reportFromEvents,
} from '../src/index.js'
import type { Invocation } from '../src/invocations.js'
import { linesOf } from '../src/lines.js'
import { SeriesBuilder } from '../src/series.js'
import { QuantileSketch } from '../src/sketch.js'
import { startCloudWatch } from './fixtures/cloudwatch-server.js'
import { endLine, invocationLines, reportLine, requestId, startLine, timeoutLine, timingLine } from './lines.js'
import { scripted } from './scripted-client.js'
import { unwrap } from './unwrap.js'

// Lines at the edges of what the report reads: each is read for what it says, or counted and
// passed over, and none changes anything else.

const id = requestId(1)
const fact = (message: string) => classify({ message }).fact
const run = (lines: string[], options = {}): Promise<Report> => buildReport([lines.join('\n')], options)
const only = (report: Report): FunctionReport => {
  expect(report.functions).toHaveLength(1)
  return report.functions[0] as FunctionReport
}
const timing = (fields: Record<string, unknown>) =>
  JSON.stringify({ ...JSON.parse(timingLine({ requestId: id, durationMs: 50 })), ...fields })

describe('lines of the runtime and of other code', () => {
  it('reads a plain console line of the text format as the function’s own, with its request id and time', () => {
    expect(classify({ message: `2026-11-30T10:00:00.000Z\t${id}\tINFO\thello` })).toEqual({
      fact: { kind: 'other', requestId: id },
      timestamp: Date.parse('2026-11-30T10:00:00.000Z'),
    })
    expect(fact(`2026-11-30T10:00:00.000Z\t${id}\tINFO\t{not json`)).toEqual({ kind: 'other', requestId: id })
  })

  it('takes the time from the record when the runtime line’s own time cannot be read', () => {
    const line = `2026-99-99T10:00:00.000Z\t${id}\tINFO\t${timingLine({ requestId: id, durationMs: 5, timestamp: '2026-11-30T10:00:01.000Z' })}`
    expect(classify({ message: line }).timestamp).toBe(Date.parse('2026-11-30T10:00:01.000Z'))
  })

  it("reads a logger's line about an invocation (level, timestamp, request id) as the function's own, and anything less as another tool's", () => {
    const line: Record<string, string> = { timestamp: '2026-11-30T10:00:00.000Z', level: 'INFO', message: 'hello', function_request_id: id }
    expect(fact(JSON.stringify(line))).toEqual({ kind: 'other', requestId: id })
    for (const missing of ['timestamp', 'level', 'message', 'function_request_id']) {
      const { [missing]: _gone, ...rest } = line
      expect(fact(JSON.stringify(rest)), missing).toEqual({ kind: 'foreign-json' })
    }
    expect(fact(JSON.stringify({ ...line, message: '{cut short' }))).toEqual({ kind: 'other', requestId: id })
  })

  it("reads the JSON format's platform.initStart, and passes over platform events it has no use for", () => {
    const platform = (type: string, record: object) => fact(JSON.stringify({ time: '2026-11-30T10:00:00Z', type, record }))
    expect(platform('platform.initStart', { functionName: 'orders', functionVersion: '3' })).toEqual({
      kind: 'init',
      functionName: 'orders',
      version: '3',
    })
    expect(platform('platform.start', { version: '3' })).toEqual({ kind: 'other', requestId: undefined })
    expect(platform('platform.extension', { requestId: id })).toEqual({ kind: 'other', requestId: id })
    expect(platform('platform.report', { requestId: id })).toMatchObject({ kind: 'report', durationMs: undefined, status: undefined })
  })
})

describe('records with fields missing or of the wrong kind', () => {
  it('keeps what it can read of phases and calls, and drops the entries it cannot', () => {
    const record = timing({
      phases: [{ name: 'handler', durationMs: 40 }, { name: 'noTime' }, { durationMs: 3 }, 'not an object'],
      outbound: {
        started: 4,
        slowest: [
          { label: 'orders-db', target: 'https://db', durationMs: 30 },
          { label: '', target: 'https://api.example.com/a', durationMs: 20, outcome: 'ok' },
          { kind: 'fetch', durationMs: 10 },
          { target: 'https://api.example.com/b' },
        ],
      },
    })
    expect(fact(record)).toMatchObject({
      phases: [{ name: 'handler', durationMs: 40 }],
      calls: [
        { target: 'orders-db', durationMs: 30, outcome: 'unknown' },
        { target: 'https://api.example.com/a', durationMs: 20, outcome: 'ok' },
      ],
      callsStarted: 4,
    })
  })

  it('reads a memory size written as a string, and no size from one that is not a number', () => {
    const { memoryLimitMB: _ours, ...rest } = JSON.parse(timing({}))
    const size = (value: unknown) =>
      (classify({ message: JSON.stringify({ ...rest, function_memory_size: value }) }).fact as { memoryLimitMB?: number }).memoryLimitMB
    expect(size('1024')).toBe(1024)
    expect(size('')).toBeUndefined()
    expect(size('lots')).toBeUndefined()
  })

  it('takes a timeout record without a source for the invocation’s own', () => {
    const { source: _source, ...record } = JSON.parse(timeoutLine({ requestId: id, elapsedMs: 900 }))
    expect(fact(JSON.stringify(record))).toMatchObject({ kind: 'timeout', source: 'main' })
  })

  it('reads a field of the wrong kind as absent: a number as text or past a double, a name as a number, a flag as text, null for an object or a list entry', () => {
    const line = timing({
      budgetMs: '2998',
      functionName: 7,
      coldStart: 'true',
      outbound: null,
      phases: [null, { name: 'handler', durationMs: 40 }],
    }).replace('"maxRssMB":90', '"maxRssMB":1e999')
    expect(fact(line)).toMatchObject({
      kind: 'timing',
      budgetMs: undefined,
      maxRssMB: undefined,
      functionName: undefined,
      coldStart: undefined,
      calls: [],
      phases: [{ name: 'handler', durationMs: 40 }],
    })
  })

  it('takes no time from a record whose timestamp is 0, before 1970 or past a double', () => {
    const at = (line: string) => classify({ message: line }).timestamp
    expect(at(timing({ timestamp: 0 }))).toBeUndefined()
    expect(at(timing({ timestamp: -5 }))).toBeUndefined()
    expect(at(timing({ timestamp: 5 }).replace('"timestamp":5', '"timestamp":1e999'))).toBeUndefined()
    expect(at(timing({ timestamp: 1764496800000 }))).toBe(1764496800000)
  })

  it('does not take a memory size of 0 MB for a size', async () => {
    const fn = only(await run([startLine(id), endLine(id), reportLine(id, { durationMs: 40, memorySizeMB: 0 })]))
    expect(fn.memory.configuredMB).toBeNull()
    expect(fn.recommendations.find((r) => r.kind === 'memory')).toBeUndefined()
  })
})

describe('wrappers cut short', () => {
  it('reads a line after filter-log-events output that is not part of it', () => {
    const json = JSON.stringify({ events: [{ logStreamName: 's', timestamp: 1, message: 'a', eventId: 'e' }] }, null, 4).split('\n')
    const { events } = unwrap([...json.slice(0, -1), 'plain line after it'])
    expect(events.map((event) => event.message)).toEqual(['a', 'plain line after it'])
  })

  it('counts a pretty-printed message cut off by the next line, one that does not parse, and one too long to keep', () => {
    const head = '2026-11-30T10:00:00+00:00 stream-a'
    const cut = unwrap([head, '{', '    "a": 1,', 'next line'])
    expect(cut.events).toEqual([{ message: 'next line' }])
    expect(cut.unwrapper.counts.truncated).toBe(1)
    expect(unwrap([head, '{', '    "a": 1,,', '}']).unwrapper.counts.truncated).toBe(1)
    const long = `    "a": "${'x'.repeat(1 << 20)}",`
    const tooLong = unwrap([head, '{', long, '    "b": 2', '}'])
    expect(tooLong.unwrapper.counts.truncated).toBe(1)
  })

  it('reads unbalanced braces inside the strings of a pretty-printed message (a nested object, escaped quotes and backslashes too) as text', () => {
    const message = {
      a: 'opens {{ twice',
      nested: { e: '} closes', f: 'ab' },
      b: 'a "quoted }" closes',
      c: 'ends in a backslash \\',
      d: '} last',
    }
    const pretty = JSON.stringify(message, null, 4).split('\n')
    const { events, unwrapper } = unwrap(['2026-11-30T10:00:00+00:00 stream-a', ...pretty, 'next line'])
    expect(events.map((event) => event.message)).toEqual([JSON.stringify(message), 'next line'])
    expect(unwrapper.counts.truncated).toBe(0)
  })

  it('reads braces and escaped quotes inside the strings of a pretty-printed message as text', () => {
    const message = { text: 'a "quoted" {brace} and a \\ backslash' }
    const pretty = JSON.stringify(message, null, 4).split('\n')
    const { events } = unwrap(['2026-11-30T10:00:00+00:00 stream-a', ...pretty])
    expect(JSON.parse(events[0]?.message ?? '')).toEqual(message)
  })

  it('counts an event of a stray "events": [ that another line cut short', () => {
    const { events, unwrapper } = unwrap(['    "events": [', '        {', '            "message": "half"', 'something else'])
    expect(events.map((event) => event.message)).toEqual(['something else'])
    expect(unwrapper.counts.truncated).toBe(1)
  })
})

describe('wrappers at their edges', () => {
  it('reads a lone { that no "events": [ follows as a line of its own, at the end of the input too', () => {
    expect(unwrap(['{', 'plain', '{']).events).toEqual([{ message: '{' }, { message: 'plain' }, { message: '{' }])
  })

  it('reads an aws logs tail head with nothing after it as an empty message, and the next line as its own', () => {
    const { events } = unwrap(['2026-11-30T10:00:00+00:00 stream-a', 'plain'])
    expect(events).toEqual([{ message: '', timestamp: Date.parse('2026-11-30T10:00:00Z'), stream: 'stream-a' }, { message: 'plain' }])
  })

  it('takes the time of a filter-log-events text event from the next line only when that line is nothing but the time', () => {
    const { events } = unwrap([
      'EVENTS\te1\t1\ts1\tfirst',
      '\t1764496800000',
      'EVENTS\te2\t1\ts1\tsecond',
      '1764496800001  ',
      'EVENTS\te3\t1\ts1\tthird',
      'x\t1764496800002',
      'EVENTS\te4\t1\ts1\tfourth',
      '1764496800003 later',
      'EVENTS\te5\t1\ts1\tlast, the input ends',
    ])
    expect(events).toEqual([
      { message: 'first', stream: 's1', timestamp: 1764496800000 },
      { message: 'second', stream: 's1', timestamp: 1764496800001 },
      { message: 'third', stream: 's1' },
      { message: 'x\t1764496800002' },
      { message: 'fourth', stream: 's1' },
      { message: '1764496800003 later' },
      { message: 'last, the input ends', stream: 's1' },
    ])
  })

  it('keeps the tabs inside a text event’s message, takes off its trailing spaces, and takes only digits for its time', () => {
    const { events } = unwrap([
      'EVENTS\te1\t1\ts1\ta\tb  \t1764496800000',
      'EVENTS\te2\t1\ts1\tcount\tab12345678901',
      '\t1764496800001',
      'EVENTS\te3\t1\ts1\tcount\t12345678901ab',
      '\t1764496800002',
      'EVENTS\te4\t1\ts1\t1764496800003',
      '\t1764496800004',
    ])
    expect(events).toEqual([
      { message: 'a\tb', timestamp: 1764496800000, stream: 's1' },
      { message: 'count\tab12345678901', stream: 's1', timestamp: 1764496800001 },
      { message: 'count\t12345678901ab', stream: 's1', timestamp: 1764496800002 },
      { message: '1764496800003', stream: 's1', timestamp: 1764496800004 },
    ])
  })

  it('reads the events of filter-log-events output cut off inside an event, the one before the cut too', () => {
    const field = (key: string, value: string) => `            "${key}": ${JSON.stringify(value)},`
    const { events, unwrapper } = unwrap([
      '{',
      '    "events": [',
      '        {',
      field('logStreamName', 's'),
      field('message', 'one'),
      '        {',
      field('logStreamName', 's'),
      field('message', 'two'),
    ])
    expect(events).toEqual([
      { message: 'one', stream: 's' },
      { message: 'two', stream: 's' },
    ])
    expect(unwrapper.counts).toEqual({ containerLines: 4, truncated: 0 })
  })

  it('reads a CloudWatch event printed as one JSON object with its stream and no id', () => {
    const line = JSON.stringify({ message: 'hello', logStreamName: 's', timestamp: 1764496800000 })
    expect(unwrap([line]).events).toEqual([{ message: 'hello', timestamp: 1764496800000, stream: 's' }])
  })
})

describe('reading a stream of text', () => {
  const collect = async (chunks: (string | Uint8Array)[], maxChars?: number) => {
    let tooLong = 0
    const lines: string[] = []
    for await (const line of linesOf(chunks, () => tooLong++, maxChars)) lines.push(line)
    return { lines, tooLong }
  }

  it('splits bytes into lines, a character split across chunks included, and takes off \\r', async () => {
    const bytes = new TextEncoder().encode('héllo\r\nwörld\r')
    const { lines } = await collect([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])
    expect(lines).toEqual(['héllo', 'wörld'])
  })

  it('keeps a line of exactly the limit, in one chunk or across two, and counts a line far past it once however many chunks it spans', async () => {
    expect(await collect(['12345678\nok\n'], 8)).toEqual({ lines: ['12345678', 'ok'], tooLong: 0 })
    expect(await collect(['1234', '5678', '\nok'], 8)).toEqual({ lines: ['12345678', 'ok'], tooLong: 0 })
    expect(await collect(['12345678'], 8)).toEqual({ lines: ['12345678'], tooLong: 0 })
    expect(await collect(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(10), 'x\nok\n'], 8)).toEqual({ lines: ['ok'], tooLong: 1 })
  })

  it('skips a line longer than the limit, within a chunk or across several, and counts it', async () => {
    expect(await collect(['short\nxxxxxxxxxxxx\nok\n'], 8)).toEqual({ lines: ['short', 'ok'], tooLong: 1 })
    expect(await collect(['ab', 'xxxxxxxxxx', 'xxxx', 'x\nnext\n', 'tail'], 8)).toEqual({ lines: ['next', 'tail'], tooLong: 1 })
    expect(await collect(['xxxxxxxxxxxx'], 8)).toEqual({ lines: [], tooLong: 1 })
  })
})

describe('joining', () => {
  it('makes a new invocation of a request id that starts again after its REPORT (a retry), and reads runtimeDone', async () => {
    const lines = [
      ...invocationLines(id, { durationMs: 100 }),
      startLine(id),
      JSON.stringify({ time: '2026-11-30T10:00:05Z', type: 'platform.runtimeDone', record: { requestId: id, status: 'timeout' } }),
      reportLine(id, { durationMs: 3000 }),
    ]
    const fn = only(await run(lines))
    expect(fn.invocations).toBe(2)
    expect(fn.outcomes).toMatchObject({ success: 1, hardKill: 1 })
  })

  it('keeps at most four timeout records of one invocation', async () => {
    const lines = [startLine(id), ...Array.from({ length: 6 }, () => timeoutLine({ requestId: id, elapsedMs: 2500 }))]
    const result = await run(lines)
    expect(result.input.recognised.timeoutRecords).toBe(6)
    expect(only(result).outcomes.gracefulTimeout).toBe(1)
  })

  it('reads START without a version, and an invocation re-opened after it was closed early is counted as late', async () => {
    const lines = [
      `START RequestId: ${id}`,
      reportLine(id, { durationMs: 10 }),
      startLine(requestId(2)),
      startLine(requestId(3)),
      endLine(id),
    ]
    const result = await run(lines, { maxOpenInvocations: 2 })
    expect(result.input).toMatchObject({ invocations: 3, evictedInvocations: 1, skipped: { lateLines: 1 } })
    expect(fact(`START RequestId: ${id}`)).toEqual({ kind: 'start', requestId: id, version: undefined, functionArn: undefined })
  })

  it('counts EMF documents, initStart events and warnings, each warning once per message', async () => {
    const warning = (message: string) => JSON.stringify({ level: 'WARN', package: '@middy-deadline/timing-logger', message })
    const result = await run([
      JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, Duration: 3 }),
      JSON.stringify({ time: '2026-11-30T10:00:00Z', type: 'platform.initStart', record: { functionName: 'orders' } }),
      warning('a'),
      warning('a'),
      ...Array.from({ length: 210 }, (_, n) => warning(`w${n}`)),
    ])
    expect(result.input.recognised).toMatchObject({ emf: 1, otherPlatform: 1, warnings: 212 })
    expect(result.warnings).toHaveLength(200)
    expect(result.warnings[0]).toEqual({ package: '@middy-deadline/timing-logger', message: 'a', count: 2 })
  })
})

describe('options', () => {
  it('refuses options that are not an object, and every bad value, describing it without showing objects', () => {
    expect(() => new ReportBuilder(null as never)).toThrow('@middy-deadline/report: option options must be an object')
    expect(() => new ReportBuilder({ functionName: '' })).toThrow('option functionName must be a non-empty string, got ""')
    expect(() => new ReportBuilder({ functionName: 7 as never })).toThrow('got 7')
    expect(() => new ReportBuilder({ maxOpenInvocations: 1.5 })).toThrow('option maxOpenInvocations must be a positive integer, got 1.5')
    expect(() => new ReportBuilder({ maxOpenInvocations: {} as never })).toThrow('got object')
    expect(() => new ReportBuilder({ nearMissThreshold: true as never })).toThrow(ReportOptionError)
    expect(() => new ReportBuilder({ timeoutMs: null as never })).toThrow('got null')
  })

  it('refuses options that are not an object of any kind, and names the options there are', () => {
    expect(() => new ReportBuilder(5 as never)).toThrow('@middy-deadline/report: option options must be an object')
    expect(() => new ReportBuilder(true as never)).toThrow('option options must be an object')
    expect(() => new ReportBuilder({ colour: 'red' } as never)).toThrow(
      '@middy-deadline/report: option colour is not an option (known: nearMissThreshold, timeoutMs, functionName, maxOpenInvocations)',
    )
  })

  it('throws an error named ReportOptionError that names the option', () => {
    let error: unknown
    try {
      new ReportBuilder({ maxOpenInvocations: 0 })
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(ReportOptionError)
    expect(error).toMatchObject({ name: 'ReportOptionError', option: 'maxOpenInvocations' })
    expect(String(error)).toBe('ReportOptionError: @middy-deadline/report: option maxOpenInvocations must be a positive integer, got 0')
  })

  it('takes each number option up to its bounds and refuses it past them, and a number written as text', () => {
    const settings = (options: object) => new ReportBuilder(options).finish().settings
    expect(settings({ nearMissThreshold: 1, timeoutMs: 1000 })).toMatchObject({ nearMissThreshold: 1, timeoutMs: 1000 })
    expect(settings({ timeoutMs: 900_000, maxOpenInvocations: 1 })).toMatchObject({ timeoutMs: 900_000 })
    expect(() => settings({ nearMissThreshold: 0 })).toThrow('option nearMissThreshold must be a number in (0, 1], got 0')
    expect(() => settings({ nearMissThreshold: -0.5 })).toThrow('got -0.5')
    expect(() => settings({ nearMissThreshold: true })).toThrow('option nearMissThreshold must be a number in (0, 1], got true')
    expect(() => settings({ timeoutMs: 999 })).toThrow("option timeoutMs must be between 1000 and 900000 (Lambda's limits), got 999")
    expect(() => settings({ timeoutMs: 900_001 })).toThrow('got 900001')
    expect(() => settings({ timeoutMs: '3000' })).toThrow('option timeoutMs must be between 1000 and 900000 (Lambda\'s limits), got "3000"')
    expect(() => settings({ maxOpenInvocations: '10' })).toThrow('option maxOpenInvocations must be a positive integer, got "10"')
  })

  it('takes an option given as undefined for its default', async () => {
    const result = new ReportBuilder({ nearMissThreshold: undefined, maxOpenInvocations: undefined }).finish()
    expect(result.settings).toEqual({ nearMissThreshold: 0.8, timeoutMs: null, functionName: null })
  })
})

describe('log streams past 10,000', () => {
  it('remembers what the last 10,000 streams said: a hard kill in a stream older than that is not named by it', () => {
    // Through the attribution itself: the same through buildReport costs a second and a half
    // (20,000 events), on every mutant of the whole pipeline in a mutation run.
    const stream = (i: number) => `2026/11/30/[$LATEST]${i.toString(16).padStart(8, '0')}`
    const invocation = (i: number, functionName?: string) =>
      ({ stream: stream(i), timing: functionName === undefined ? undefined : { functionName } }) as unknown as Invocation
    const attribution = new Attribution(undefined)
    for (let i = 0; i < 10_000; i++) attribution.keyOf(invocation(i, 'orders'))
    expect(attribution.keyOf(invocation(0))).toEqual({ functionName: 'orders', version: '$LATEST', alias: undefined })
    attribution.keyOf(invocation(10_000, 'orders'))
    expect(attribution.keyOf(invocation(0)).functionName).toBeUndefined()
    expect(attribution.keyOf(invocation(1)).functionName).toBe('orders')
  })
})

describe('quantiles past the exact buffer', () => {
  it('keeps zeros apart: they answer 0, and count once each', () => {
    const sketch = new QuantileSketch()
    for (let n = 0; n < 10; n++) sketch.add(0)
    for (let n = 1; n <= 2000; n++) sketch.add(n)
    expect(sketch.exact).toBe(false)
    expect(sketch.quantile(0.004)).toBe(0)
    const visited: [number, number][] = []
    sketch.forEach((value, count) => {
      visited.push([value, count])
    })
    expect(visited[0]).toEqual([0, 10])
    expect(visited.reduce((sum, [, count]) => sum + count, 0)).toBe(2010)
  })
})

describe('the durations chart past 5,000 invocations', () => {
  it('plots invocations by time, in time order, leaving out those without a time once some have one', () => {
    const series = new SeriesBuilder()
    series.add(2e12 + 20, 0, 30, 'success')
    series.add(undefined, 1, 40, 'success')
    series.add(2e12 + 10, 2, 50, 'hardKill')
    expect(series.build()).toEqual({
      axis: 'time',
      points: [
        { x: 2e12 + 10, durationMs: 50, outcome: 'hardKill' },
        { x: 2e12 + 20, durationMs: 30, outcome: 'success' },
      ],
      buckets: undefined,
      bucketWidth: undefined,
    })
  })

  it('plots invocations in input order when no line had a time', () => {
    const series = new SeriesBuilder()
    series.add(undefined, 1, 40, 'success')
    series.add(undefined, 0, 30, 'error')
    expect(series.build()).toEqual({
      axis: 'order',
      points: [
        { x: 0, durationMs: 30, outcome: 'error' },
        { x: 1, durationMs: 40, outcome: 'success' },
      ],
      buckets: undefined,
      bucketWidth: undefined,
    })
  })

  it('slices the 5,001st invocation on: slices in time order, each with its count, max, mean and timeouts', () => {
    const series = new SeriesBuilder()
    // 5,001 invocations over 10,000 ms: slices of 20 ms (half of 1,000 slices over the span).
    for (let n = 0; n <= 5000; n++)
      series.add(2e12 + 10_000 - n * 2, n, n === 0 ? 700 : 10 + (n % 2) * 20, n === 1 ? 'gracefulTimeout' : 'success')
    const built = series.build()
    expect(built.axis).toBe('time')
    expect(built.points).toBeUndefined()
    expect(built.bucketWidth).toBe(20)
    const buckets = built.buckets ?? []
    expect(buckets).toHaveLength(501)
    expect(buckets[0]).toEqual({ x: 2e12, count: 10, maxMs: 30, meanMs: 20, timeouts: 0 })
    expect(buckets.at(-2)).toEqual({ x: 2e12 + 9980, count: 10, maxMs: 30, meanMs: 20, timeouts: 1 })
    expect(buckets.at(-1)).toEqual({ x: 2e12 + 10_000, count: 1, maxMs: 700, meanMs: 700, timeouts: 0 })
    expect(buckets.every((bucket, i) => i === 0 || bucket.x > (buckets[i - 1]?.x ?? 0))).toBe(true)
  })

  it('widens its slices so that they stay at most 1,000, merging neighbours and keeping every count, max and timeout', () => {
    const series = new SeriesBuilder()
    for (let n = 0; n < 5001; n++) series.add(1e12 + n, n, 10, 'success')
    for (let n = 0; n < 3000; n++)
      series.add(1e12 + 5001 + n * 40, 5001 + n, n === 2999 ? 900 : 20, n % 1000 === 0 ? 'hardKill' : 'success')
    const built = series.build()
    const buckets = built.buckets ?? []
    expect(buckets.length).toBeLessThanOrEqual(1000)
    expect(buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(8001)
    expect(buckets.reduce((sum, bucket) => sum + bucket.timeouts, 0)).toBe(3)
    expect(Math.max(...buckets.map((bucket) => bucket.maxMs))).toBe(900)
  })
})

describe('the durations chart at its limits', () => {
  const total = (buckets: { count: number }[] | undefined) => (buckets ?? []).reduce((sum, bucket) => sum + bucket.count, 0)

  it('plots 5,000 invocations one by one', () => {
    const series = new SeriesBuilder()
    for (let n = 0; n < 5000; n++) series.add(2e12 + n, n, 10, 'success')
    const built = series.build()
    expect(built.points).toHaveLength(5000)
    expect(built.buckets).toBeUndefined()
  })

  it('slices by the time of the invocations that have one: those without are left out, and do not stretch the slices', () => {
    // A hard kill known only from Lambda's lines without a time, among invocations 2 ms apart.
    const series = new SeriesBuilder()
    for (let n = 0; n < 2500; n++) series.add(2e12 + n * 2, n, 10, 'success')
    series.add(undefined, 2500, 3000, 'hardKill')
    for (let n = 2501; n <= 5000; n++) series.add(2e12 + n * 2, n, 10, 'success')
    // Sliced now: 20 ms slices over the 10 s with a time (half of 1,000 slices over the span).
    const sliced = series.build()
    expect(sliced.bucketWidth).toBe(20)
    expect(sliced.buckets).toHaveLength(501)
    expect(total(sliced.buckets)).toBe(5000)
    expect(sliced.buckets?.[0]).toEqual({ x: 2e12, count: 10, maxMs: 10, meanMs: 10, timeouts: 0 })
    // Later ones without a time take none of the 1,000 slices: no slice widens for them.
    for (let n = 5001; n < 20_000; n++) series.add(undefined, n, 10, 'hardKill')
    const after = series.build()
    expect(after.bucketWidth).toBe(20)
    expect(total(after.buckets)).toBe(5000)
    expect(after.buckets?.every((bucket) => bucket.x >= 2e12 && bucket.timeouts === 0)).toBe(true)
  })

  it('leaves out the slices made before the first time was seen, in order of input', () => {
    const series = new SeriesBuilder()
    for (let n = 0; n <= 5000; n++) series.add(undefined, n, 10, 'success')
    series.add(2e12, 5001, 40, 'success')
    expect(series.build()).toMatchObject({ axis: 'time', buckets: [{ x: 2e12, count: 1, maxMs: 40, meanMs: 40, timeouts: 0 }] })
  })

  it('widens its slices only past 1,000 of them, each merged slice with its neighbours’ count, max and mean', () => {
    // 10 ms slices over the first 5,001 (501 of them), 10 or 30 ms in turn; then 499 more slices.
    const series = new SeriesBuilder()
    for (let n = 0; n <= 5000; n++) series.add(1e12 + n, n, Math.floor(n / 10) % 2 === 0 ? 10 : 30, 'success')
    for (let k = 0; k < 499; k++) series.add(1e12 + 5010 + 10 * k, 5001 + k, 10, 'success')
    const full = series.build()
    expect(full.bucketWidth).toBe(10)
    expect(full.buckets).toHaveLength(1000)
    series.add(1e12 + 10_000, 5500, 10, 'gracefulTimeout')
    const widened = series.build()
    expect(widened.bucketWidth).toBe(20)
    expect(widened.buckets).toHaveLength(501)
    expect(widened.buckets?.[0]).toEqual({ x: 1e12, count: 20, maxMs: 30, meanMs: 20, timeouts: 0 })
    expect(widened.buckets?.at(-1)).toEqual({ x: 1e12 + 10_000, count: 1, maxMs: 10, meanMs: 10, timeouts: 1 })
    expect(total(widened.buckets)).toBe(5501)
  })
})

describe('recommendations at their edges', () => {
  const rec = (fn: FunctionReport, kind: string) => fn.recommendations.find((r) => r.kind === kind)
  const completed = (n: number, ms: number, extra: Partial<Parameters<typeof timingLine>[0]> = {}) =>
    Array.from({ length: n }, (_, i) => invocationLines(requestId(i), { durationMs: ms, ...extra }, { durationMs: ms })).flat()

  it('gives no share of time outside tracked calls when the slow invocations took no time', async () => {
    const calls = [{ target: 'https://api.example.com/a', durationMs: 0 }]
    const fn = only(await run([timingLine({ requestId: id, durationMs: 0, calls })]))
    expect(rec(fn, 'memory')?.evidence).toMatchObject({ untrackedShareOfSlowInvocations: null })
  })

  it('says nothing about the timeout when no invocation completed or timed out', async () => {
    const fn = only(await run([startLine(id)]))
    expect(rec(fn, 'timeout')).toBeUndefined()
  })

  it('raises a reserve of unknown size after a kill past the cutoff, with nothing settled to size it from', async () => {
    const { reserveMs: _reserve, ...record } = JSON.parse(timeoutLine({ requestId: id, elapsedMs: 2500 }))
    const fn = only(
      await run([startLine(id), JSON.stringify(record), endLine(id), reportLine(id, { durationMs: 3000, status: 'timeout' })]),
    )
    expect(rec(fn, 'reserve')).toMatchObject({ action: 'raise', value: 100, current: null, evidence: { settled: 0, killedAfterCutoff: 1 } })
  })

  it('keeps a reserve of unknown size that settling fits in', async () => {
    const { reserveMs: _reserve, ...record } = JSON.parse(timeoutLine({ requestId: id, elapsedMs: 2000 }))
    const lines = [JSON.stringify(record), timingLine({ requestId: id, durationMs: 2040, outcome: 'timeout' })]
    expect(rec(only(await run(lines)), 'reserve')).toMatchObject({ action: 'keep', current: null })
    expect(rec(only(await run(lines)), 'reserve')?.message).toContain('within the ? ms reserve')
  })

  it('limits a downstream from its p99 alone when the timeout is unknown, and says which calls were still running at a cutoff', async () => {
    const calls = [{ target: 'https://api.example.com/a', durationMs: 300 }]
    const lines = [
      ...Array.from({ length: 5 }, (_, i) => timingLine({ requestId: requestId(i), durationMs: 400, calls, callsStarted: 9 })),
      timeoutLine({ requestId: requestId(9), elapsedMs: 2500, pending: [{ url: 'https://api.example.com/a', durationMs: 2400 }] }),
    ]
    const limit = rec(only(await run(lines)), 'per-request-limit')
    expect(limit).toMatchObject({ action: 'set', value: 450, evidence: { budgetMs: 3000 - 500, pendingAtCutoff: 1 } })
    expect(limit?.message).toContain('1 calls were still running at a cutoff')
    expect(limit?.confidence.why).toContain('only each invocation’s slowest 3 are logged')
    const { budgetMs: _budget, ...unbudgeted } = JSON.parse(timingLine({ requestId: id, durationMs: 400, calls }))
    const alone = rec(only(await run([JSON.stringify(unbudgeted)])), 'per-request-limit')
    expect(alone).toMatchObject({ value: 450, evidence: { budgetMs: null } })
    expect(alone?.confidence.why).toBe('1 calls; medium from 100, high from 1000')
  })

  it('suggests lowering memory used far below its size, and never more than Lambda’s 10,240 MB', async () => {
    const low = completed(30, 100).map((l) =>
      l.replace('Memory Size: 1024 MB\tMax Memory Used: 90 MB', 'Memory Size: 2048 MB\tMax Memory Used: 200 MB'),
    )
    expect(rec(only(await run(low, { timeoutMs: 3000 })), 'memory')).toMatchObject({
      action: 'lower',
      value: 512,
      confidence: { level: 'low' },
    })
    const huge = completed(30, 100).map((l) =>
      l.replace('Memory Size: 1024 MB\tMax Memory Used: 90 MB', 'Memory Size: 8192 MB\tMax Memory Used: 8000 MB'),
    )
    expect(rec(only(await run(huge, { timeoutMs: 3000 })), 'memory')).toMatchObject({ action: 'raise', value: 10240 })
  })

  it('lowers the batch size below the batches seen when they do not fit', async () => {
    // 29 ms a record: 82 of them fit in 80 % of 3 s.
    const fn = only(await run(completed(5, 2900, { batchSize: 100 }), { timeoutMs: 3000 }))
    expect(rec(fn, 'batch-size')).toMatchObject({ action: 'lower', value: 82, current: 100 })
  })
})

describe('log group pages at their edges', () => {
  const read = async (client: { send(command: unknown): Promise<unknown> }, options = {}) => {
    const events: LogEvent[] = []
    for await (const event of logGroupEvents({ logGroupName: 'g', client, ...options })) events.push(event)
    return events
  }

  it('reads events without a time, an id or a stream, passes over one without a message, and a page without events', async () => {
    const { client } = scripted([
      {
        events: [
          { message: 'a' },
          { timestamp: 5 },
          { message: 'b \n', timestamp: 7, eventId: 'x', logStreamName: 's' },
          { message: 'c', timestamp: 7 },
        ],
        nextToken: 't1',
      },
      { nextToken: '' },
    ])
    expect(await read(client)).toEqual([
      { message: 'a', timestamp: undefined, stream: undefined },
      { message: 'b', timestamp: 7, stream: 's' },
      { message: 'c', timestamp: 7, stream: undefined },
    ])
  })

  it('starts over from the start of the window when a token is rejected before any event had a time', async () => {
    const expired = Object.assign(new Error('The given nextToken is invalid'), { name: 'InvalidParameterException' })
    const { client, inputs } = scripted([
      { events: [{ message: 'a' }], nextToken: 't1' },
      { throws: expired },
      { events: [{ message: 'a' }] },
    ])
    const notices: string[] = []
    const events = await read(client, { startTime: 1000, endTime: 9000, onNotice: (notice: string) => notices.push(notice) })
    expect(events.map((event) => event.message)).toEqual(['a', 'a'])
    expect(notices).toEqual(['the page token was rejected (InvalidParameterException); reading again from 1970-01-01T00:00:01.000Z'])
    expect(inputs.map((input) => [input.startTime, input.nextToken])).toEqual([
      [1000, undefined],
      [1000, 't1'],
      [1000, undefined],
    ])
  })

  it('gives up at once on a thrown value that is not a service error', async () => {
    const { client } = scripted([{ throws: null }])
    await expect(read(client)).rejects.toBeNull()
  })
})

describe('what is rare in a log', () => {
  const timingOf = (n: number, fields: Record<string, unknown>) =>
    JSON.stringify({ ...JSON.parse(timingLine({ requestId: requestId(n), durationMs: 50 })), ...fields })

  it('ranks a downstream seen only still running at a cutoff after those with calls, and phases of no time at all', async () => {
    const pendingOnly = {
      level: 'ERROR',
      package: '@middy-deadline/graceful-timeout',
      requestId: requestId(2),
      elapsedMs: 2500,
      pending: [{ url: 'https://stuck.example/x', durationMs: 2400 }],
    }
    const lines = [
      timingOf(1, {
        durationMs: 0,
        phases: [
          { name: 'a', durationMs: 0 },
          { name: 'b', durationMs: 0 },
        ],
        outbound: { started: 1, slowest: [{ target: 'https://api.example.com/a', durationMs: 0, outcome: 'ok' }] },
      }),
      JSON.stringify(pendingOnly),
    ]
    const result = await run(lines)
    const fn = only(result)
    expect(fn.outbound.targets.map((t) => [t.target, t.kind, t.p99, t.pendingAtCutoff])).toEqual([
      ['https://api.example.com/a', null, 0, 0],
      ['https://stuck.example/x', null, null, 1],
    ])
    expect(fn.phases.map((p) => [p.name, p.slowShare])).toEqual([
      ['a', null],
      ['b', null],
    ])
    const text = renderText(result)
    expect(text).toMatch(/https:\/\/stuck\.example\/x\s+0\s+-\s+-\s+-\s+0\s+1\s+-/)
    expect(text).toMatch(/a\s+1\s+0\.0\s+0\.0\s+0\.0\s+-/)
    const html = renderHtml(result)
    expect(html).toContain(
      '<tr><td>https://stuck.example/x</td><td>0</td><td>-</td><td>-</td><td>-</td><td>0</td><td>1</td><td>-</td></tr>',
    )
    expect(html).toContain('<tr><td>a</td><td>1</td><td>0</td><td>0</td><td>0</td><td>-</td></tr>')
  })

  it('sums phases and downstreams past the first 100 names under (other), and keeps ten sample rates', async () => {
    const many = Array.from({ length: 102 }, (_, n) => n)
    const lines = [
      timingOf(1, {
        phases: many.map((n) => ({ name: `phase${n}`, durationMs: 1 })),
        outbound: { started: 102, slowest: many.map((n) => ({ label: `db${n}`, durationMs: 1, outcome: 'ok' })) },
      }),
      ...Array.from({ length: 12 }, (_, n) =>
        timingOf(10 + n, { sampleRate: 0.5 + n / 100, nearMiss: false, coldStart: false, phases: [{ name: 'phase0', durationMs: 1 }] }),
      ),
    ]
    const fn = only(await run(lines))
    expect(fn.phases).toHaveLength(101)
    expect(fn.phases.find((p) => p.name === '(other)')?.totalMs).toBe(2)
    expect(fn.outbound.targets.find((t) => t.target === '(other)')?.calls).toBe(2)
    expect(fn.sampling?.records).toBe(12)
    expect(fn.sampling?.rates).toHaveLength(10)
  })

  it('names a version-less function by itself, and takes a kill line without REPORT for the duration', async () => {
    const { functionVersion: _v, ...record } = JSON.parse(timingLine({ requestId: id, durationMs: 50 }))
    const result = await run([
      startLine(requestId(2)),
      `2026-11-30T10:00:03.000Z ${requestId(2)} Task timed out after 3.00 seconds`,
      JSON.stringify(record),
    ])
    expect(renderText(result)).toContain('== orders\n')
    const killed = result.functions.find((fn) => fn.outcomes.hardKill === 1)
    expect(killed?.duration).toMatchObject({ max: 3000, source: { lambda: 1, record: 0 } })
  })

  it("names a function by a shared log group's stream name", async () => {
    const fn = only(await run([`2026-11-30T10:00:00.000Z 2026/11/30/payments[7]0123abcd ${reportLine(id, { durationMs: 5 })}`]))
    expect(fn).toMatchObject({ function: 'payments', version: '7' })
  })

  it('counts an event of filter-log-events output without a message as cut short, and reads a record whose outbound is not an object', async () => {
    const json = JSON.stringify({ events: [{ logStreamName: 's', timestamp: 1, eventId: 'e' }] }, null, 4).split('\n')
    expect(unwrap(json).unwrapper.counts.truncated).toBe(1)
    expect(fact(timing({ outbound: 'lots' }))).toMatchObject({ calls: [], callsStarted: undefined })
  })

  it('lets an invocation closed early (too many open) go when its REPORT’s wait is over', async () => {
    const lines = [
      startLine(id),
      reportLine(id, { durationMs: 10 }),
      startLine(requestId(2)),
      startLine(requestId(3)),
      ...Array.from({ length: 300 }, () => endLine(requestId(3))),
    ]
    const result = await run(lines, { maxOpenInvocations: 2 })
    expect(result.input).toMatchObject({ invocations: 3, evictedInvocations: 1 })
  })

  it('reports the events it was handed when there were no lines', async () => {
    const result = await reportFromEvents([{ message: startLine(id) }])
    expect(renderHtml(result)).toContain('1 invocations from 1 lines')
  })
})

describe('a log group read with nothing but its name', () => {
  afterEach(() => vi.unstubAllEnvs())

  it('makes its own client from the environment (region, endpoint, credentials), waits out a throttle, and releases the client', async () => {
    const stored = [{ logStreamName: 's', timestamp: Date.now() - 1000, message: startLine(id) }]
    const server = await startCloudWatch(stored, { pageSize: 10, throttle: [0] })
    try {
      vi.stubEnv('AWS_REGION', 'us-east-1')
      vi.stubEnv('AWS_ENDPOINT_URL', server.endpoint)
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST')
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret')
      const events: LogEvent[] = []
      for await (const event of logGroupEvents({ logGroupName: 'g' })) events.push(event)
      expect(events.map((event) => event.message)).toEqual([startLine(id)])
      expect(server.requests).toHaveLength(2)
    } finally {
      await server.close()
    }
  })
})

describe('what a record or platform event says, to the field', () => {
  it('takes a sample rate only strictly between 0 and 1: a record at rate 1, 0 or 2 stands for itself', async () => {
    const routine = (n: number, sampleRate: number) =>
      JSON.stringify({
        ...JSON.parse(timingLine({ requestId: requestId(n), durationMs: 5 })),
        sampleRate,
        nearMiss: false,
        coldStart: false,
      })
    const fn = only(await run([routine(1, 1), routine(2, 0), routine(3, 2), routine(4, 0.5)]))
    expect(fn.invocations).toBe(3 + 2)
    expect(fn.sampling).toEqual({ records: 1, rates: [0.5], invocationsInLogs: 4 })
  })

  it('weighs a sampled record’s duration by what it stands for: its mean too', async () => {
    const sampled = JSON.stringify({
      ...JSON.parse(timingLine({ requestId: requestId(1), durationMs: 100 })),
      sampleRate: 0.5,
      nearMiss: false,
      coldStart: false,
    })
    const fn = only(await run([sampled, timingLine({ requestId: requestId(2), durationMs: 400 })]))
    // 100 ms standing for two invocations, 400 ms for one: (2 × 100 + 400) / 3.
    expect(fn.duration).toMatchObject({ count: 3, mean: 200, max: 400, exact: false })
  })

  it("reads platform.start's function ARN (its alias) and platform.report's error type", async () => {
    const start = JSON.stringify({
      time: '2026-11-30T10:00:00Z',
      type: 'platform.start',
      record: { requestId: id, version: '4', functionArn: 'arn:aws:lambda:eu-west-1:1:function:orders:live' },
    })
    const report = JSON.stringify({
      time: '2026-11-30T10:00:01Z',
      type: 'platform.report',
      record: { requestId: id, status: 'failure', errorType: 'Runtime.ExitError', metrics: { durationMs: 12 } },
    })
    expect(fact(report)).toMatchObject({ errorType: 'Runtime.ExitError', status: 'failure' })
    const fn = only(await run([start, report]))
    expect(fn).toMatchObject({ function: 'orders', version: '4', alias: 'live', outcomes: { error: 1 } })
  })
})
