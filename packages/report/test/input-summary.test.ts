import { describe, expect, it } from 'vitest'
import { buildReport, type Report, reportFromEvents } from '../src/index.js'
import { endLine, reportLine, requestId, startLine, timedOutLine, timeoutLine, timingLine } from './lines.js'

// What the report says of its input and of itself: every kind of line counted in its place, the
// first and last time seen, the functions in order, the warnings by count, the settings it ran with,
// and the names it gives invocations that no line of their own named.

const run = (lines: string[], options = {}): Promise<Report> => buildReport([lines.join('\n')], options)
const at = (time: string, line: string) => `2026-11-30T10:00:${time}+00:00 2026/11/30/[$LATEST]aaaa ${line}`
const id = requestId(1)

describe('the input summary', () => {
  it('counts each kind of line once where it belongs, and the first and last time seen whatever their order', async () => {
    const record = JSON.parse(timingLine({ requestId: id, durationMs: 40 }))
    const { timestamp, level, message } = record
    const lines = [
      at('05.000000', startLine(id)),
      at('02.000000', 'a line of the function’s own'),
      '{"cut": ',
      '{"level":"info","msg":"another tool"}',
      JSON.stringify({ timestamp, level, message, requestId: requestId(2), truncated: true }),
      JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, Duration: 3 }),
      JSON.stringify({ time: '2026-11-30T10:00:00Z', type: 'platform.initStart', record: { functionName: 'orders' } }),
      JSON.stringify({ level: 'WARN', package: '@middy-deadline/deadline', message: 'said something' }),
      JSON.stringify({ ...record, truncated: true, droppedPhases: 2 }),
      timeoutLine({ requestId: requestId(3), elapsedMs: 2500 }),
      timeoutLine({ requestId: requestId(4), elapsedMs: 2500, source: 'watchdog' }),
      endLine(id),
      reportLine(id, { durationMs: 41 }),
      timedOutLine(requestId(4), 3),
      JSON.stringify({
        time: '2026-11-30T10:00:09Z',
        type: 'platform.runtimeDone',
        record: { requestId: requestId(3), status: 'success' },
      }),
      at('09.000000', endLine(requestId(3))),
      at('07.000000', endLine(requestId(4))),
    ]
    // And a line past the reader's 1 MiB.
    const result = await buildReport([`${lines.join('\n')}\n${'x'.repeat((1 << 20) + 1)}\n`])
    expect(result.input).toEqual({
      lines: 18,
      events: 17,
      firstTimestamp: '2026-11-30T10:00:00.000Z',
      lastTimestamp: '2026-11-30T10:00:09.000Z',
      recognised: {
        timingRecords: 1,
        timeoutRecords: 1,
        watchdogRecords: 1,
        warnings: 1,
        emf: 1,
        start: 1,
        end: 3,
        report: 1,
        timedOutLines: 1,
        otherPlatform: 2,
        truncatedRecords: 1,
        partialRecords: 1,
      },
      otherLines: 1,
      skipped: { malformed: 1, foreignJson: 1, truncated: 0, truncatedRecords: 1, tooLong: 1, containerLines: 0, lateLines: 0 },
      invocations: 3,
      evictedInvocations: 0,
    })
  })

  it('counts a record that dropped only marks as partial, and filter-log-events output cut off inside an event as one cut event', async () => {
    const record = JSON.parse(timingLine({ requestId: id, durationMs: 40 }))
    const marksOnly = await run([JSON.stringify({ ...record, droppedMarks: 3 })])
    expect(marksOnly.input.recognised).toMatchObject({ timingRecords: 1, truncatedRecords: 0, partialRecords: 1 })
    const output = JSON.stringify(
      {
        events: [
          { logStreamName: 's', timestamp: 1764496800000, message: startLine(id) },
          { logStreamName: 's', timestamp: 1764496801000, message: endLine(id) },
        ],
      },
      null,
      4,
    ).split('\n')
    // The output stops in the middle of the second event's message.
    const cutAt = output.findIndex((line) => line.includes('END RequestId'))
    const cut = [...output.slice(0, cutAt), (output[cutAt] as string).slice(0, -12)]
    const result = await run(cut)
    expect(result.input).toMatchObject({ events: 1, recognised: { start: 1, end: 0 } })
    expect(result.input.skipped.truncated).toBe(1)
  })

  it('has no first or last time when no line had one', async () => {
    const result = await reportFromEvents([{ message: 'plain' }])
    expect(result.input).toMatchObject({ lines: 0, events: 1, otherLines: 1, firstTimestamp: null, lastTimestamp: null })
  })
})

describe('the report’s own parts', () => {
  it('lists the versions of one function with the most invocations first', async () => {
    const version = (n: number, v: string) => timingLine({ requestId: requestId(n), durationMs: 10, functionVersion: v })
    const report = await run([
      version(1, '1'),
      version(2, '2'),
      version(3, '2'),
      version(4, '2'),
      timingLine({ requestId: requestId(9), durationMs: 5, functionName: 'billing' }),
    ])
    expect(report.functions.map((fn) => [fn.function, fn.version, fn.invocations])).toEqual([
      ['billing', '$LATEST', 1],
      ['orders', '2', 3],
      ['orders', '1', 1],
    ])
  })

  it('lists two aliases of one version as two rows', async () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders'
    const aliased = (n: number, alias: string) =>
      JSON.stringify({
        ...JSON.parse(timingLine({ requestId: requestId(n), durationMs: 10, functionVersion: '7' })),
        invokedFunctionArn: `${arn}:${alias}`,
      })
    const report = await run([aliased(1, 'live'), aliased(2, 'live'), aliased(3, 'beta')])
    expect(report.functions.map((fn) => [fn.function, fn.version, fn.alias, fn.invocations])).toEqual([
      ['orders', '7', 'live', 2],
      ['orders', '7', 'beta', 1],
    ])
  })

  it('keeps the first 500 characters of a warning, and lists warnings by how often they came', async () => {
    const warning = (message: string) => JSON.stringify({ level: 'WARN', package: '@middy-deadline/deadline', message })
    const long = 'w'.repeat(600)
    const report = await run([warning('once'), warning(long), warning(long)])
    expect(report.warnings).toEqual([
      { package: '@middy-deadline/deadline', message: 'w'.repeat(500), count: 2 },
      { package: '@middy-deadline/deadline', message: 'once', count: 1 },
    ])
  })

  it('says which timeout and function name it was given', async () => {
    const report = await run([], { timeoutMs: 3000, functionName: 'orders', nearMissThreshold: 0.9 })
    expect(report.settings).toEqual({ nearMissThreshold: 0.9, timeoutMs: 3000, functionName: 'orders' })
  })
})

describe('invocations no line of their own named', () => {
  it('take the one function’s only version; with two versions in the input, the version stays unknown', async () => {
    const kill = (n: number) => [startLine(requestId(n)), reportLine(requestId(n), { durationMs: 3000, status: 'timeout' })]
    const record = (n: number, v: string) => timingLine({ requestId: requestId(n), durationMs: 10, functionVersion: v })
    const oneVersion = await run([record(1, '7'), ...kill(2).map((l) => l.replace(' Version: $LATEST', ''))])
    expect(oneVersion.functions.map((fn) => [fn.function, fn.version, fn.invocations])).toEqual([['orders', '7', 2]])
    const twoVersions = await run([record(1, '7'), record(3, '8'), ...kill(2).map((l) => l.replace(' Version: $LATEST', ''))])
    expect(twoVersions.functions.map((fn) => [fn.function, fn.version, fn.invocations])).toEqual([
      ['orders', '7', 1],
      ['orders', '8', 1],
      ['orders', null, 1],
    ])
  })

  it('take the function’s only version when only the name was known, and keep a version their own line gave', async () => {
    const kill = (n: number, version?: string) => [
      version === undefined ? startLine(requestId(n)).replace(' Version: $LATEST', '') : startLine(requestId(n), version),
      reportLine(requestId(n), { durationMs: 3000, status: 'timeout' }).replace(' Version: $LATEST', ''),
    ]
    const record = (n: number, v: string) => timingLine({ requestId: requestId(n), durationMs: 10, functionVersion: v })
    // Named by the functionName option, its version unknown.
    const named = await run([record(1, '7'), ...kill(2)], { functionName: 'orders' })
    expect(named.functions.map((fn) => [fn.function, fn.version, fn.invocations])).toEqual([['orders', '7', 2]])
    // Its START line gave version 8, nothing gave its name.
    const versioned = await run([record(1, '7'), ...kill(2, '8')])
    expect(versioned.functions.map((fn) => [fn.function, fn.version, fn.invocations])).toEqual([
      ['orders', '7', 1],
      ['orders', '8', 1],
    ])
  })
})
