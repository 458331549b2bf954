import { describe, expect, it } from 'vitest'
import { buildReport, type FunctionReport, type Report } from '../src/index.js'
import { requestId, timingLine } from './lines.js'

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
  it('plots more than 5,000 invocations in at most 1,000 time slices that still count every one', async () => {
    const lines = Array.from({ length: 6000 }, (_, i) =>
      timingLine({
        requestId: requestId(i),
        durationMs: 10 + (i % 7),
        outcome: i % 100 === 0 ? 'timeout' : 'success',
        timestamp: new Date(Date.UTC(2026, 10, 30) + i * 1000).toISOString(),
      }),
    )
    const series = only(await run(lines)).charts.durations
    expect(series.axis).toBe('time')
    expect(series.points).toBeUndefined()
    expect(series.buckets?.length).toBeLessThanOrEqual(1000)
    expect(series.buckets?.reduce((sum, b) => sum + b.count, 0)).toBe(6000)
    expect(series.buckets?.reduce((sum, b) => sum + b.timeouts, 0)).toBe(60)
    expect(Math.max(...(series.buckets ?? []).map((b) => b.maxMs))).toBe(16)
  })
})
