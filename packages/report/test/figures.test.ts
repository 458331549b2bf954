import { describe, expect, it } from 'vitest'
import { buildReport, type FunctionReport, type Report } from '../src/index.js'
import { endLine, reportLine, requestId, startLine, timingLine } from './lines.js'

// What each invocation adds to its function's figures: the distributions, the largest settings
// seen, what sampled records stand for in the time split, the batch figures and the charts' data.

const run = (lines: string[], options = {}): Promise<Report> => buildReport([lines.join('\n')], options)
const only = (report: Report): FunctionReport => {
  expect(report.functions).toHaveLength(1)
  return report.functions[0] as FunctionReport
}
/** Our timing record with fields of its own on top of timingLine's. */
const record = (n: number, durationMs: number, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ ...JSON.parse(timingLine({ requestId: requestId(n), durationMs })), ...fields })

describe('what an invocation adds to the figures', () => {
  it('plots each invocation with a duration on the durations chart, in input order without times, and leaves out one that has none', async () => {
    const noTime = { timestamp: undefined }
    const fn = only(
      await run([record(1, 300, noTime), startLine(requestId(2)), record(3, 100, { ...noTime, outcome: 'error' })], {
        functionName: 'orders',
      }),
    )
    expect(fn.invocations).toBe(3)
    expect(fn.charts.durations).toMatchObject({
      axis: 'order',
      points: [
        { durationMs: 300, outcome: 'success' },
        { durationMs: 100, outcome: 'error' },
      ],
    })
  })

  it('takes an init duration for a cold start only: a warm record that carries one adds nothing to the init figures', async () => {
    const fn = only(
      await run([record(1, 50, { coldStart: false, initDurationMs: 250 }), record(2, 60, { coldStart: true, initDurationMs: 180 })]),
    )
    expect(fn.coldStarts).toMatchObject({ count: 1, init: { count: 1, max: 180 } })
  })

  it('takes the largest memory size seen in a function’s lines, whatever their order', async () => {
    const invocation = (n: number, memorySizeMB: number) => [
      startLine(requestId(n)),
      endLine(requestId(n)),
      reportLine(requestId(n), { durationMs: 40, memorySizeMB }),
    ]
    const fn = only(await run([...invocation(1, 512), ...invocation(2, 1024), ...invocation(3, 256)], { functionName: 'orders' }))
    expect(fn.memory.configuredMB).toBe(1024)
  })

  it('keeps at most 50 phases of a slow invocation for the phases chart', async () => {
    const phases = Array.from({ length: 60 }, (_, i) => ({ name: `step${i}`, durationMs: 1 }))
    const fn = only(await run([record(1, 60, { phases })]))
    expect(fn.charts.slowest).toHaveLength(1)
    expect(fn.charts.slowest[0]?.phases).toEqual(phases.slice(0, 50))
  })
})

describe('what a sampled record stands for in the time split', () => {
  it('counts the phase time, the downstream time and the time outside tracked calls of 1 / rate invocations', async () => {
    const sampled = { sampleRate: 0.5, nearMiss: false, coldStart: false }
    const outbound = {
      started: 1,
      ok: 1,
      totalMs: 600,
      slowest: [{ kind: 'fetch', target: 'https://api.example.com/a', durationMs: 600, outcome: 'ok' }],
    }
    const { totalMs: _unknown, ...withoutTotal } = outbound
    const fn = only(
      await run([
        record(1, 1000, { ...sampled, outbound }),
        // A record that does not say how long its calls took in all: none of its time counts as theirs.
        record(2, 1000, { ...sampled, outbound: withoutTotal }),
      ]),
    )
    expect(fn.invocations).toBe(4)
    expect(fn.phases).toMatchObject([{ name: 'handler', invocations: 4, totalMs: 4000, slowShare: 1 }])
    expect(fn.outbound.targets).toMatchObject([{ target: 'https://api.example.com/a', calls: 4, slowShare: 0.6 }])
    // 600 ms of calls in each of the two invocations the first record stands for, of 4000 ms in all.
    const memory = fn.recommendations.find((r) => r.kind === 'memory')
    expect(memory?.evidence.untrackedShareOfSlowInvocations).toBe(0.7)
  })
})

describe('batch figures', () => {
  it('takes the time per record from successful invocations that say their batch size, of one record or more', async () => {
    const fn = only(
      await run([
        record(1, 100, { batchSize: 1 }),
        record(2, 400, { batchSize: 2 }),
        // Not a batch: no size, a size below one record, a failed invocation (its time says nothing of a record's).
        record(3, 900),
        record(4, 300, { batchSize: -3 }),
        record(5, 2900, { batchSize: 1, outcome: 'error' }),
      ]),
    )
    expect(fn.batch).toMatchObject({ maxBatchSize: 2, perRecord: { count: 2, max: 200 } })
  })
})
