import { describe, expect, it } from 'vitest'
import { buildReport, type FunctionReport, type Report, ReportOptionError } from '../src/index.js'
import {
  endLine,
  invocationLines,
  platformReport,
  platformStart,
  reportLine,
  requestId,
  startLine,
  timedOutLine,
  timeoutLine,
  timingLine,
} from './lines.js'

const run = (lines: string[], options = {}): Promise<Report> => buildReport([lines.join('\n')], options)
const only = (report: Report): FunctionReport => {
  expect(report.functions).toHaveLength(1)
  return report.functions[0] as FunctionReport
}
const rec = (fn: FunctionReport, kind: string) => fn.recommendations.find((r) => r.kind === kind)

describe('outcomes, joined by request id', () => {
  it('counts success, error, graceful timeout, hard kill with and without our record, from records and Lambda lines together', async () => {
    const lines = [
      ...invocationLines(requestId(1), { durationMs: 100, coldStart: true, initDurationMs: 250 }, { initDurationMs: 260 }),
      ...invocationLines(requestId(2), { durationMs: 200, outcome: 'error' }),
      // graceful: the cutoff record, then the timing record of the settled invocation
      startLine(requestId(3)),
      timeoutLine({ requestId: requestId(3), elapsedMs: 2500, reserveMs: 500 }),
      timingLine({ requestId: requestId(3), durationMs: 2620, outcome: 'timeout' }),
      endLine(requestId(3)),
      reportLine(requestId(3), { durationMs: 2625 }),
      // hard kill with the watchdog's record (blocked loop), Lambda's newer REPORT status
      startLine(requestId(4)),
      timeoutLine({ requestId: requestId(4), elapsedMs: 2501, source: 'watchdog' }),
      endLine(requestId(4)),
      reportLine(requestId(4), { durationMs: 3000, status: 'timeout' }),
      // hard kill nobody of ours saw: the classic REPORT then `Task timed out`
      startLine(requestId(5)),
      endLine(requestId(5)),
      reportLine(requestId(5), { durationMs: 3003.46 }),
      timedOutLine(requestId(5), 3),
    ]
    const fn = only(await run(lines))
    expect(fn.invocations).toBe(5)
    expect(fn.outcomes).toEqual({ success: 1, error: 1, gracefulTimeout: 1, hardKill: 2, unknown: 0 })
    expect(fn.hardKillsSeenOnlyByLambda).toBe(1)
    expect(fn.blockedAtCutoff).toBe(1)
    expect(fn.timeout).toEqual({ ms: 3000, source: 'lambda' })
    expect(fn.coldStarts).toMatchObject({ count: 1, init: { count: 1, p50: 260 } })
    // Lambda's Duration wins over the record's when both are there
    expect(fn.duration).toMatchObject({ count: 5, p50: 2625, max: 3003.46, source: { lambda: 5, record: 0 } })
    expect(fn.settle).toMatchObject({ count: 1, p50: 120, reserveMs: 500 })
  })

  it('reads the JSON log format the same way', async () => {
    const id = requestId(7)
    const fn = only(
      await run([
        platformStart(id),
        timingLine({ requestId: id, durationMs: 50 }),
        platformReport(id, { durationMs: 3000.5, status: 'timeout' }),
      ]),
    )
    expect(fn.outcomes.hardKill).toBe(1)
    expect(fn.hardKillsSeenOnlyByLambda).toBe(1)
    expect(fn.timeout).toEqual({ ms: 3000, source: 'lambda' })
  })

  it('counts near-misses among completed invocations from the share of the timeout they used', async () => {
    const lines = [2000, 2399, 2400, 2900, 100].flatMap((ms, i) =>
      invocationLines(requestId(i), { durationMs: ms - 1 }, { durationMs: ms }),
    )
    const fn = only(await run(lines, { timeoutMs: 3000 }))
    expect(fn.nearMisses).toBe(2)
    expect(fn.timeoutShare).toMatchObject({ p50: 0.8, max: 0.967 })
    expect(fn.charts.timeoutShare?.counts.reduce((a, b) => a + b, 0)).toBe(5)
    expect(fn.charts.timeoutShare?.counts[16]).toBe(1)
  })

  it('charts the share of the timeout used in 5 % bins, the last holding all past the timeout, and no chart without a timeout', async () => {
    const lines = [100, 1020, 2000].flatMap((ms, i) => invocationLines(requestId(i), { durationMs: ms - 1 }, { durationMs: ms }))
    const fn = only(await run(lines, { timeoutMs: 1000 }))
    expect(fn.charts.timeoutShare).toEqual({ binWidth: 0.05, counts: [0, 0, 1, ...new Array(17).fill(0), 2] })
    const unknown = only(await run([startLine(requestId(1)), endLine(requestId(1)), reportLine(requestId(1), { durationMs: 50 })]))
    expect(unknown.timeout).toEqual({ ms: null, source: null })
    expect(unknown.timeoutShare).toBeNull()
    expect(unknown.charts.timeoutShare).toBeNull()
  })
})

describe('where the time went', () => {
  it('ranks phases and downstreams by their share of the slowest invocations', async () => {
    const lines: string[] = []
    for (let i = 0; i < 100; i++) {
      const slow = i >= 90
      const dbMs = slow ? 900 : 20
      lines.push(
        timingLine({
          requestId: requestId(i),
          durationMs: dbMs + 30,
          phases: [
            { name: 'authBefore', durationMs: 25 },
            { name: 'handler', durationMs: dbMs + 5 },
          ],
          calls: [{ target: 'https://db.internal/query', durationMs: dbMs, method: 'POST' }],
        }),
      )
    }
    const fn = only(await run(lines))
    expect(fn.phases[0]).toMatchObject({ name: 'handler', invocations: 100 })
    expect(fn.phases[0]?.slowShare).toBeCloseTo(905 / 930, 2)
    expect(fn.outbound.targets[0]).toMatchObject({
      target: 'POST https://db.internal/query',
      calls: 100,
      p50: 20,
      p90: 20,
      p99: 900,
      max: 900,
    })
    expect(fn.outbound.targets[0]?.slowShare).toBeCloseTo(900 / 930, 2)
    expect(fn.charts.slowest[0]).toMatchObject({ durationMs: 930 })
    expect(fn.charts.slowest).toHaveLength(10)
  })

  it('counts the calls still running at the cutoff against their downstream', async () => {
    const id = requestId(1)
    const lines = [
      timeoutLine({ requestId: id, elapsedMs: 2500, pending: [{ url: 'https://slow.example/api/items/42', durationMs: 2490 }] }),
    ]
    const fn = only(await run(lines, { functionName: 'orders' }))
    expect(fn.outbound.targets).toEqual([
      expect.objectContaining({ target: 'GET https://slow.example/api/items/{id}', pendingAtCutoff: 1, calls: 0 }),
    ])
  })

  const timed = (i: number, durationMs: number, phases: [string, number][]) =>
    timingLine({ requestId: requestId(i), durationMs, phases: phases.map(([name, ms]) => ({ name, durationMs: ms })) })

  it('takes for the slow set the slowest 10 % by duration, however the input is ordered', async () => {
    // 20 invocations: the 19th and 20th by duration are the slow set, and come first in the input.
    const lines = [
      timed(1, 3000, [
        ['b', 2400],
        ['a', 600],
      ]),
      timed(2, 2000, [
        ['b', 200],
        ['a', 1800],
      ]),
      ...Array.from({ length: 18 }, (_, i) =>
        timed(3 + i, 100 + 50 * i, [
          ['b', 0],
          ['a', 100 + 50 * i],
        ]),
      ),
    ]
    const fn = only(await run(lines))
    // b: (2400 + 200) / 5000, a: (600 + 1800) / 5000; a has far more time in all, but less in the slow set.
    expect(fn.phases.map((p) => [p.name, p.slowShare, p.totalMs])).toEqual([
      ['b', 0.52, 2600],
      ['a', 0.48, 2400 + 18 * 100 + 50 * 153],
    ])
  })

  it('counts invocations under a millisecond as one duration: the slow set is all of them', async () => {
    const lines = [...Array.from({ length: 9 }, (_, i) => timed(i, 0.2, [['a', 0.2]])), timed(9, 0.9, [['b', 0.9]])]
    const fn = only(await run(lines))
    expect(fn.phases.map((p) => [p.name, p.slowShare])).toEqual([
      ['a', 0.667],
      ['b', 0.333],
    ])
  })

  it('ranks phases of the same share of the slow set by their total time, and downstreams of the same p99 by calls still running at a cutoff', async () => {
    const lines = [
      timed(1, 6, [
        ['x', 1],
        ['y', 5],
      ]),
      timed(2, 20, [
        ['x', 10],
        ['y', 10],
      ]),
      timeoutLine({ requestId: requestId(3), elapsedMs: 2500, pending: [{ url: 'https://a.example/', durationMs: 2400 }] }),
      timeoutLine({
        requestId: requestId(4),
        elapsedMs: 2500,
        pending: [
          { url: 'https://a.example/', durationMs: 2400 },
          { url: 'https://b.example/', durationMs: 2400 },
        ],
      }),
      timeoutLine({ requestId: requestId(5), elapsedMs: 2500, pending: [{ url: 'https://b.example/', durationMs: 2400 }] }),
      timeoutLine({ requestId: requestId(6), elapsedMs: 2500, pending: [{ url: 'https://b.example/', durationMs: 2400 }] }),
    ]
    const fn = only(await run(lines))
    expect(fn.phases.map((p) => [p.name, p.slowShare, p.totalMs])).toEqual([
      ['y', 0.5, 15],
      ['x', 0.5, 11],
    ])
    expect(fn.outbound.targets.map((t) => [t.target, t.p99, t.pendingAtCutoff])).toEqual([
      ['GET https://b.example/', null, 3],
      ['GET https://a.example/', null, 2],
    ])
  })
})

describe('recommendations', () => {
  const completed = (n: number, ms: (i: number) => number, extra: Partial<Parameters<typeof timingLine>[0]> = {}) =>
    Array.from({ length: n }, (_, i) => invocationLines(requestId(i), { durationMs: ms(i), ...extra }, { durationMs: ms(i) })).flat()

  it('lowers a timeout far above what invocations need, with the numbers and a confidence from their count', async () => {
    const fn = only(
      await run(
        completed(200, (i) => 100 + i),
        { timeoutMs: 30_000 },
      ),
    )
    expect(rec(fn, 'timeout')).toMatchObject({
      action: 'lower',
      value: 1000,
      current: 30000,
      evidence: { completed: 200, completedP99Ms: 297 },
      confidence: { level: 'medium', basis: 200 },
    })
  })

  it('raises it when the timeouts are the tail of work that nearly fits, and keeps it when they are hangs', async () => {
    const near = [
      ...completed(50, () => 2500),
      startLine(requestId(99)),
      reportLine(requestId(99), { durationMs: 3000, status: 'timeout' }),
    ]
    expect(rec(only(await run(near)), 'timeout')).toMatchObject({
      action: 'raise',
      value: 4000,
      current: 3000,
      evidence: { completedP99Ms: 2500, timeouts: 1 },
    })
    const hangs = [
      ...completed(50, () => 200),
      startLine(requestId(99)),
      reportLine(requestId(99), { durationMs: 3000, status: 'timeout' }),
    ]
    expect(rec(only(await run(hangs)), 'timeout')).toMatchObject({ action: 'keep', value: null })
  })

  it('sizes the reserve from how long settling after the cutoff took, and raises it after a kill past the cutoff', async () => {
    const settled = (i: number, settleMs: number) => [
      timeoutLine({ requestId: requestId(i), elapsedMs: 2000, reserveMs: 1000 }),
      timingLine({ requestId: requestId(i), durationMs: 2000 + settleMs, outcome: 'timeout' }),
    ]
    const fine = Array.from({ length: 20 }, (_, i) => settled(i, 40 + i)).flat()
    expect(rec(only(await run(fine)), 'reserve')).toMatchObject({
      action: 'lower',
      value: 150,
      current: 1000,
      evidence: { settled: 20, settleP99Ms: 59 },
    })
    const late = [
      ...fine,
      timeoutLine({ requestId: requestId(50), elapsedMs: 2000, reserveMs: 1000 }),
      reportLine(requestId(50), { durationMs: 3000, status: 'timeout' }),
    ]
    expect(rec(only(await run(late)), 'reserve')).toMatchObject({ action: 'raise', value: 2000, evidence: { killedAfterCutoff: 1 } })
  })

  it('sets a per-request limit per downstream from its p99, capped to what fits in the budget', async () => {
    const lines = completed(100, () => 300, { calls: [{ target: 'https://fast.example/a', durationMs: 100 }] })
    lines.push(
      ...completed(1, () => 2000, { calls: [{ target: 'https://slow.example/b', durationMs: 1900 }] }).map((l) =>
        l.replaceAll(requestId(0), requestId(500)),
      ),
    )
    const fn = only(await run(lines, { timeoutMs: 3000 }))
    const limits = fn.recommendations.filter((r) => r.kind === 'per-request-limit')
    expect(limits.map((r) => [r.target, r.value])).toEqual([
      ['GET https://slow.example/b', 1500],
      ['GET https://fast.example/a', 150],
    ])
  })

  it('raises memory near the limit and for a blocked event loop; for time outside tracked calls it only says to look', async () => {
    const full = completed(30, () => 100, { maxRssMB: 120, memoryLimitMB: 128 }).map((l) =>
      l.replace('Memory Size: 1024 MB\tMax Memory Used: 90 MB', 'Memory Size: 128 MB\tMax Memory Used: 122 MB'),
    )
    expect(rec(only(await run(full)), 'memory')).toMatchObject({ action: 'raise', value: 256, current: 128, evidence: { peakMB: 122 } })
    const at512 = (l: string) => l.replace('Memory Size: 1024 MB', 'Memory Size: 512 MB')
    const blocked = [
      ...completed(30, () => 200).map(at512),
      timeoutLine({ requestId: requestId(77), elapsedMs: 2500, source: 'watchdog' }),
      reportLine(requestId(77), { durationMs: 3000, status: 'timeout', memorySizeMB: 512 }),
    ]
    expect(rec(only(await run(blocked)), 'memory')).toMatchObject({ action: 'raise', value: 1769, evidence: { blockedAtCutoff: 1 } })
    // Time outside tracked calls may be computation or untracked waiting: the report says so, no more.
    const untracked = completed(30, () => 2600, { calls: [{ target: 'https://x.example/', durationMs: 50 }] }).map(at512)
    expect(rec(only(await run(untracked)), 'memory')).toMatchObject({
      action: 'investigate',
      value: null,
      // 1 - 50 / 2600 of the slow invocations' time
      evidence: { untrackedShareOfSlowInvocations: 0.981 },
      confidence: { level: 'low' },
    })
  })

  it('fits a batch size to the per-record time when records say how many they carried', async () => {
    const lines = completed(100, () => 1000, { batchSize: 10 })
    expect(rec(only(await run(lines, { timeoutMs: 10_000 })), 'batch-size')).toMatchObject({
      action: 'set',
      value: 80,
      evidence: { perRecordP99Ms: 100, observedMaxBatch: 10 },
    })
    const perRecord = { count: 100, p50: 100, p90: 100, p99: 100, max: 100, mean: 100, exact: true }
    expect(only(await run(lines)).batch).toEqual({ maxBatchSize: 10, perRecord })
    expect(only(await run(completed(10, () => 1000))).batch).toBeNull()
  })
})

describe('functions, versions and streams', () => {
  it('keeps interleaved functions apart, and names a hard kill by what its stream said', async () => {
    const streamA = '2026/11/30/[$LATEST]aaaa'
    const streamB = '2026/11/30/[7]bbbb'
    const tail = (stream: string, line: string) => `2026-11-30T10:00:00.000000+00:00 ${stream} ${line}`
    const lines = [
      tail(streamA, timingLine({ requestId: requestId(1), durationMs: 10, functionName: 'orders' })),
      tail(streamB, timingLine({ requestId: requestId(2), durationMs: 20, functionName: 'billing', functionVersion: '7' })),
      tail(streamB, startLine(requestId(3), '7')),
      tail(streamA, timingLine({ requestId: requestId(4), durationMs: 30, functionName: 'orders' })),
      tail(streamB, reportLine(requestId(3), { durationMs: 3000, status: 'timeout' })),
    ]
    const report = await run(lines)
    expect(report.functions.map((fn) => [fn.function, fn.version, fn.invocations, fn.outcomes.hardKill])).toEqual([
      ['billing', '7', 2, 1],
      ['orders', '$LATEST', 2, 0],
    ])
  })

  it('leaves an unnamed invocation unknown when several functions are in the input and nothing names it', async () => {
    const lines = [
      timingLine({ requestId: requestId(1), durationMs: 10, functionName: 'a' }),
      timingLine({ requestId: requestId(2), durationMs: 10, functionName: 'b' }),
      reportLine(requestId(3), { durationMs: 5 }),
    ]
    const report = await run(lines)
    expect(report.functions.map((fn) => fn.function)).toEqual(['(unknown function)', 'a', 'b'])
  })
})

describe('options', () => {
  it('refuses a bad option when created, naming the option and the package', async () => {
    await expect(buildReport([], { nearMissThreshold: 2 })).rejects.toThrow(ReportOptionError)
    await expect(buildReport([], { nearMissThreshold: 2 })).rejects.toThrow(
      '@middy-deadline/report: option nearMissThreshold must be a number in (0, 1], got 2',
    )
    await expect(buildReport([], { timeoutMs: 10 })).rejects.toThrow('option timeoutMs')
    await expect(buildReport([], { colour: 'red' } as never)).rejects.toThrow('option colour is not an option')
  })
})

describe('bounded memory', () => {
  it('holds at most maxOpenInvocations open: the oldest are closed early, counted, and none is lost', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => startLine(requestId(i)))
    // A line for an invocation closed a moment ago is recognised as late (the last maxOpen closed ids are kept).
    lines.push(reportLine(requestId(9), { durationMs: 5 }), endLine(requestId(6)))
    const report = await run(lines, { maxOpenInvocations: 3, functionName: 'orders' })
    expect(report.input).toMatchObject({ invocations: 10, evictedInvocations: 7, skipped: { lateLines: 1 } })
    expect(only(report).outcomes).toMatchObject({ success: 1, unknown: 9 })
  })
})
