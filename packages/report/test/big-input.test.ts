import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

// The big-input bench (bench/report-big.mjs) at a tenth of its size: one pass over 100,000 lines of
// three interleaved functions, in a process of its own. The million-line run and its figures are
// in docs/report.md (`node bench/report-big.mjs`).
const bench = fileURLToPath(new URL('../../../bench/report-big.mjs', import.meta.url))

describe('a big input', () => {
  it('is read in one pass in bounded memory, every invocation counted, quantiles within 1 %', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bench, '--lines', '100000', '--json'], { timeout: 60_000 })
    const result = JSON.parse(stdout)
    expect(result).toMatchObject({ lines: 100_000, invocations: 20_000, skipped: { malformed: 400, truncated: 0, lateLines: 0 } })
    expect(result.accuracy.map((a: { invocations: number }) => a.invocations)).toEqual([6667, 6667, 6666])
    expect(result.maxRelativeError).toBeLessThanOrEqual(0.01)
    // The whole process, Node itself included; the million-line run stays under 300 MB.
    expect(result.peakRssMB).toBeLessThan(256)
  })
})
