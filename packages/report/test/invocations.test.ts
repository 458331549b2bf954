import { describe, expect, it } from 'vitest'
import { buildReport, type FunctionReport, type Report } from '../src/index.js'
import { endLine, reportLine, requestId, startLine, timedOutLine, timingLine } from './lines.js'

// How the lines of one invocation are joined into one, as the report counts them: how long a
// REPORT waits for its `Task timed out` line, when a request id seen again is a retry or the same
// invocation, which line's time places it on the chart, and which closed ids are still known.

const run = (lines: string[], options = {}): Promise<Report> => buildReport([lines.join('\n')], options)
const named = (report: Report): FunctionReport => {
  const fn = report.functions.find((f) => f.function === 'orders')
  expect(fn).toBeDefined()
  return fn as FunctionReport
}
const a = requestId(1)
const b = requestId(2)

describe('a REPORT waits for its `Task timed out` line', () => {
  /** A's REPORT, then `between` lines of another invocation, then A's `Task timed out`. */
  const killedAfter = (between: number) => [
    startLine(a),
    reportLine(a, { durationMs: 3000 }),
    ...Array.from({ length: between }, () => endLine(b)),
    timedOutLine(a, 3),
  ]

  it('for 255 more lines of invocations: the kill is joined to it', async () => {
    const report = await run(killedAfter(254), { functionName: 'orders' })
    expect(named(report).outcomes).toMatchObject({ hardKill: 1, success: 0 })
    expect(report.input.skipped.lateLines).toBe(0)
  })

  it('and no longer: the 256th comes too late, and is counted as such', async () => {
    const report = await run(killedAfter(255), { functionName: 'orders' })
    expect(named(report).outcomes).toMatchObject({ hardKill: 0, success: 1 })
    expect(report.input.skipped.lateLines).toBe(1)
  })
})

describe('a request id seen again', () => {
  it('is a new invocation when START comes again after a START and a REPORT (Lambda retries keep the id)', async () => {
    const lines = [
      startLine(a),
      reportLine(a, { durationMs: 3000, status: 'timeout' }),
      startLine(a),
      endLine(a),
      reportLine(a, { durationMs: 40 }),
    ]
    const fn = named(await run(lines, { functionName: 'orders' }))
    expect(fn.invocations).toBe(2)
    expect(fn.outcomes).toMatchObject({ hardKill: 1, success: 1 })
  })

  it('is a new invocation when START comes again after the first was closed, not a late line', async () => {
    const lines = [startLine(a), reportLine(a, { durationMs: 40 }), ...Array.from({ length: 256 }, () => endLine(b)), startLine(a)]
    const report = await run(lines, { functionName: 'orders' })
    expect(report.input).toMatchObject({ invocations: 3, skipped: { lateLines: 0 } })
  })

  it('is the same invocation when its START is read after its REPORT, or read twice', async () => {
    const outOfOrder = await run([reportLine(a, { durationMs: 40 }), startLine(a), endLine(a)], { functionName: 'orders' })
    expect(outOfOrder.input.invocations).toBe(1)
    const twice = await run([startLine(a), startLine(a), endLine(a), reportLine(a, { durationMs: 40 })], { functionName: 'orders' })
    expect(twice.input.invocations).toBe(1)
  })
})

describe('the version', () => {
  it('stays unknown when its START names none', async () => {
    const fn = named(await run([`START RequestId: ${a}`, endLine(a), reportLine(a, { durationMs: 40 })], { functionName: 'orders' }))
    expect(fn.version).toBeNull()
  })
})

describe('where an invocation sits on the chart', () => {
  const tail = (time: string, line: string) => `${time} 2026/11/30/[$LATEST]aaaa ${line}`

  it('at the time of its first line, whatever the later lines or its own record say', async () => {
    const lines = [
      tail('2026-11-30T10:00:01.000000+00:00', startLine(a)),
      tail('2026-11-30T10:00:02.000000+00:00', timingLine({ requestId: a, durationMs: 40, timestamp: '2026-11-30T10:00:05.000Z' })),
      tail('2026-11-30T10:00:03.000000+00:00', reportLine(a, { durationMs: 41 })),
    ]
    const fn = named(await run(lines))
    expect(fn.charts.durations.points?.map((point) => point.x)).toEqual([Date.parse('2026-11-30T10:00:01Z')])
  })

  it('at the time its record gives when its lines had none', async () => {
    const lines = [startLine(a), timingLine({ requestId: a, durationMs: 40, timestamp: '2026-11-30T10:00:05.000Z' })]
    const fn = named(await run(lines))
    expect(fn.charts.durations.points?.map((point) => point.x)).toEqual([Date.parse('2026-11-30T10:00:05Z')])
  })
})

describe('the closed request ids it still knows (as many as maxOpenInvocations)', () => {
  it('counts a line of one of the last ones closed as late, and makes an older one a new invocation', async () => {
    // With 3 open at most, 10 STARTs close 0-6 early; 4, 5 and 6 are the last 3 closed.
    const lines = Array.from({ length: 10 }, (_, i) => startLine(requestId(i)))
    lines.push(endLine(requestId(4)), endLine(requestId(3)))
    const report = await run(lines, { maxOpenInvocations: 3, functionName: 'orders' })
    expect(report.input).toMatchObject({ invocations: 11, skipped: { lateLines: 1 } })
  })

  it('goes round its ring of ids more than once', async () => {
    // 20 STARTs with 2 open at most close 0-17; the last 2 closed are 16 and 17; 1 and 15 are long forgotten.
    const lines = Array.from({ length: 20 }, (_, i) => startLine(requestId(i)))
    lines.push(endLine(requestId(17)), endLine(requestId(16)), endLine(requestId(15)), endLine(requestId(1)))
    const report = await run(lines, { maxOpenInvocations: 2, functionName: 'orders' })
    expect(report.input).toMatchObject({ invocations: 22, skipped: { lateLines: 2 } })
  })
})
