import { describe, expect, it } from 'vitest'
import { classify } from '../src/classify.js'
import { platformReport, platformStart, reportLine, requestId, timeoutLine, timingLine } from './lines.js'
import { unwrap } from './unwrap.js'

const id = requestId(1)
const fact = (message: string) => classify({ message }).fact

describe("Lambda's own lines", () => {
  it('reads a text REPORT with init duration and the newer Status field, tab- or space-separated', () => {
    const line = reportLine(id, { durationMs: 3000, memorySizeMB: 512, maxMemoryUsedMB: 401, initDurationMs: 231.5, status: 'timeout' })
    const expected = {
      kind: 'report',
      requestId: id,
      durationMs: 3000,
      memorySizeMB: 512,
      maxMemoryUsedMB: 401,
      initDurationMs: 231.5,
      status: 'timeout',
    }
    expect(fact(line)).toMatchObject(expected)
    expect(fact(line.replaceAll('\t', ' '))).toMatchObject(expected)
  })

  it('reads an out-of-memory REPORT (Status: error, Error Type)', () => {
    expect(
      fact(
        `REPORT RequestId: ${id}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory`,
      ),
    ).toMatchObject({
      kind: 'report',
      status: 'error',
      errorType: 'Runtime.OutOfMemory',
      maxMemoryUsedMB: 128,
    })
  })

  it('reads START with its version, END, and the timeout line in both of its shapes', () => {
    expect(fact(`START RequestId: ${id} Version: 7`)).toEqual({ kind: 'start', requestId: id, version: '7', functionArn: undefined })
    expect(fact(`END RequestId: ${id}`)).toEqual({ kind: 'end', requestId: id })
    expect(fact(`2026-11-30T10:00:03.010Z ${id} Task timed out after 3.00 seconds`)).toEqual({
      kind: 'killed',
      requestId: id,
      timeoutMs: 3000,
    })
    expect(fact(`2026-11-30T10:00:03.010Z\t${id}\tERROR\tTask timed out after 30.03 seconds`)).toEqual({
      kind: 'killed',
      requestId: id,
      timeoutMs: 30030,
    })
  })

  it('reads the JSON log format: platform.start, platform.report (with status), platform.runtimeDone', () => {
    expect(fact(platformStart(id, '3'))).toMatchObject({ kind: 'start', requestId: id, version: '3' })
    expect(
      fact(platformReport(id, { durationMs: 693.92, initDurationMs: 397.68, maxMemoryUsedMB: 84, memorySizeMB: 128, status: 'timeout' })),
    ).toMatchObject({
      kind: 'report',
      durationMs: 693.92,
      initDurationMs: 397.68,
      maxMemoryUsedMB: 84,
      memorySizeMB: 128,
      status: 'timeout',
    })
    expect(fact(JSON.stringify({ time: 'x', type: 'platform.runtimeDone', record: { requestId: id, status: 'timeout' } }))).toEqual({
      kind: 'runtime-done',
      requestId: id,
      status: 'timeout',
    })
  })
})

describe('our records', () => {
  const timing = timingLine({
    requestId: id,
    durationMs: 812.5,
    calls: [{ target: 'https://api.example.com/orders/123?x=1', durationMs: 700 }],
  })

  it('reads the timing record written to stdout, by console.log under the text format, and inside the JSON format', () => {
    const expected = { kind: 'timing', requestId: id, durationMs: 812.5, outcome: 'success', functionName: 'orders' }
    expect(fact(timing)).toMatchObject(expected)
    expect(fact(`2026-11-30T10:00:00.000Z\t${id}\tINFO\t${timing}`)).toMatchObject(expected)
    const envelope = JSON.stringify({ timestamp: '2026-11-30T10:00:00.000Z', level: 'INFO', requestId: id, message: timing })
    expect(fact(envelope)).toMatchObject(expected)
  })

  it('names a downstream by method and path, without the query, with id-like segments folded', () => {
    expect(fact(timing)).toMatchObject({ calls: [{ target: 'GET https://api.example.com/orders/{id}', durationMs: 700, outcome: 'ok' }] })
  })

  it('reads the timeout record by its fields, whatever else it carries (a timestamp, new fields, a bounded marks list)', () => {
    const record = JSON.parse(
      timeoutLine({
        requestId: id,
        elapsedMs: 2500,
        reserveMs: 300,
        source: 'watchdog',
        pending: [{ url: 'https://x.test/a', durationMs: 2400 }],
      }),
    )
    const line = JSON.stringify({ ...record, timestamp: '2026-11-30T10:00:02.500Z', marksDropped: 12, somethingNew: { a: 1 } })
    const classified = classify({ message: line })
    expect(classified.fact).toMatchObject({
      kind: 'timeout',
      source: 'watchdog',
      elapsedMs: 2500,
      reserveMs: 300,
      pending: [{ target: 'GET https://x.test/a', outcome: 'pending' }],
    })
    expect(classified.timestamp).toBe(Date.parse('2026-11-30T10:00:02.500Z'))
  })

  it("reads warnOnce's warnings and recognises EMF documents", () => {
    expect(
      fact(JSON.stringify({ level: 'WARN', package: '@middy-deadline/timing-logger', message: 'deadlinePlugin() is not set up' })),
    ).toEqual({
      kind: 'warning',
      package: '@middy-deadline/timing-logger',
      message: 'deadlinePlugin() is not set up',
    })
    expect(fact(JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, Duration: 3 }))).toEqual({ kind: 'emf' })
  })

  it('tells truncated JSON, other tools’ JSON and plain text apart', () => {
    expect(fact(timing.slice(0, 80))).toEqual({ kind: 'malformed' })
    expect(fact('{"level":"info","msg":"pino says hi","pid":1}')).toEqual({ kind: 'foreign-json' })
    expect(fact('just some text')).toEqual({ kind: 'other', requestId: undefined })
  })
})

describe('wrappers', () => {
  const report = reportLine(id, { durationMs: 5 })

  it('takes off aws logs tail --format detailed and short', () => {
    const { events } = unwrap([`2026-11-30T10:00:00.123000+00:00 2026/11/30/[$LATEST]0123abcd ${report}`, `2026-11-30T10:00:01 ${report}`])
    expect(events).toEqual([
      { message: report, timestamp: Date.parse('2026-11-30T10:00:00.123Z'), stream: '2026/11/30/[$LATEST]0123abcd' },
      { message: report, timestamp: Date.parse('2026-11-30T10:00:01Z') },
    ])
  })

  it('reassembles aws logs tail --format json, whose JSON messages are pretty-printed over several lines', () => {
    const record = JSON.parse(timingLine({ requestId: id, durationMs: 10 }))
    const pretty = JSON.stringify(record, null, 4).split('\n')
    const { events } = unwrap([
      '2026-11-30T10:00:00+00:00 2026/11/30/[$LATEST]0123abcd',
      ...pretty,
      `2026-11-30T10:00:01+00:00 2026/11/30/[$LATEST]0123abcd ${report}`,
    ])
    expect(events).toHaveLength(2)
    expect(JSON.parse(events[0]?.message ?? '')).toEqual(record)
    expect(events[1]?.message).toBe(report)
  })

  it('reads aws logs filter-log-events output, JSON and text', () => {
    const json = JSON.stringify(
      {
        events: [{ logStreamName: 's1', timestamp: 1764496800000, message: `${report}\n`, ingestionTime: 1, eventId: 'e1' }],
        searchedLogStreams: [],
      },
      null,
      4,
    )
    const { events, unwrapper } = unwrap(json.split('\n'))
    expect(events).toEqual([{ message: report.trimEnd(), timestamp: 1764496800000, stream: 's1' }])
    expect(unwrapper.counts.containerLines).toBe(json.split('\n').length - 5)
    const text = [`EVENTS\te1\t1\ts1\t${report}`, '\t1764496800000', `EVENTS\te2\t1\ts1\tplain message\t1764496800001`]
    expect(unwrap(text).events).toEqual([
      { message: report.trimEnd(), timestamp: 1764496800000, stream: 's1' },
      { message: 'plain message', timestamp: 1764496800001, stream: 's1' },
    ])
  })

  it('unwraps one CloudWatch event per line (aws logs tail --format none, jq -c .events[])', () => {
    const line = JSON.stringify({ logStreamName: 's2', timestamp: 1764496800000, message: report, eventId: 'e9' })
    expect(unwrap([line]).events).toEqual([{ message: report.trimEnd(), timestamp: 1764496800000, stream: 's2' }])
  })

  it('does not take a raw timeout line (timestamp, request id) for a tail line (timestamp, stream)', () => {
    const line = `2026-11-30T10:00:03.010Z ${id} Task timed out after 3.00 seconds`
    expect(unwrap([line]).events).toEqual([{ message: line }])
  })

  it('counts a pretty-printed message that never closes as truncated', () => {
    const { events, unwrapper } = unwrap(['2026-11-30T10:00:00+00:00 stream-a', '{', '    "a": 1,'])
    expect(events).toEqual([])
    expect(unwrapper.counts.truncated).toBe(1)
  })
})
