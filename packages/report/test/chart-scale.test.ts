import { describe, expect, it } from 'vitest'
import { buildReport, type FunctionReport, type Report } from '../src/index.js'
import { endLine, reportLine, requestId, startLine, timingLine } from './lines.js'

// The durations chart of a large input stays bounded. A test of scale: 6,000 invocations through
// the whole pipeline (about a second, several under Stryker's instrumentation), so it is left out of
// mutation runs (vitest.mutation.config.ts); edges.test.ts checks the slices' merging on the chart's
// builder itself.

const run = (lines: string[], options = {}): Promise<Report> => buildReport([lines.join('\n')], options)
const only = (report: Report): FunctionReport => {
  expect(report.functions).toHaveLength(1)
  return report.functions[0] as FunctionReport
}

describe('bounded memory', () => {
  it('plots more than 5,000 invocations in at most 1,000 time slices that still count every one with a time', async () => {
    const timed = Array.from({ length: 6000 }, (_, i) =>
      timingLine({
        requestId: requestId(i),
        durationMs: 10 + (i % 7),
        outcome: i % 100 === 0 ? 'timeout' : 'success',
        timestamp: new Date(Date.UTC(2026, 10, 30) + i * 1000).toISOString(),
      }),
    )
    // A hard kill known only from Lambda's lines, which have no time here (the function named by
    // the option, so it is counted first): left out of the chart.
    const killed = requestId(9999)
    const untimed = [startLine(killed), endLine(killed), reportLine(killed, { durationMs: 3000, status: 'timeout' })]
    const lines = [...untimed, ...timed]
    const series = only(await run(lines, { functionName: 'orders' })).charts.durations
    expect(series.axis).toBe('time')
    expect(series.points).toBeUndefined()
    // Sliced at the 5,001st invocation counted (the kill and 5,000 with a time): 500 slices of
    // 10 s over the 4,999 s between those 5,000 (41 days wide when the kill stretched the span).
    expect(series.bucketWidth).toBe(9998)
    expect(series.buckets?.length).toBeLessThanOrEqual(1000)
    expect(series.buckets?.reduce((sum, b) => sum + b.count, 0)).toBe(6000)
    expect(series.buckets?.reduce((sum, b) => sum + b.timeouts, 0)).toBe(60)
    expect(Math.max(...(series.buckets ?? []).map((b) => b.maxMs))).toBe(16)
  })
})
