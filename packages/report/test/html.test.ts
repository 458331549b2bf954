import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { buildReport, renderHtml } from '../src/index.js'
import { drawnCharts, openBrowser } from './browser.js'
import { endLine, reportLine, requestId, startLine, timeoutLine, timingLine } from './lines.js'

// The HTML report opened in real headless Chromium from a file: its charts render offline (uPlot
// inlined, no request leaves the page), with one point per invocation, bin or slow invocation.

function workload(): string[] {
  const lines: string[] = []
  for (let i = 0; i < 40; i++) {
    const id = requestId(i)
    const at = new Date(Date.UTC(2026, 10, 30, 10, 0, i)).toISOString()
    const timedOut = i % 10 === 9
    const durationMs = timedOut ? 2600 : 100 + i * 40
    lines.push(startLine(id))
    if (timedOut) lines.push(timeoutLine({ requestId: id, elapsedMs: 2500, timestamp: at }))
    lines.push(
      timingLine({
        requestId: id,
        durationMs,
        outcome: timedOut ? 'timeout' : 'success',
        timestamp: at,
        phases: [
          { name: 'timingLoggerBefore', durationMs: 0.2 },
          { name: 'authBefore', durationMs: 12 },
          { name: 'handler', durationMs: durationMs - 13 },
        ],
        calls: [{ target: 'https://api.example.com/items', durationMs: durationMs - 40 }],
      }),
      endLine(id),
      reportLine(id, { durationMs: durationMs + 1 }),
    )
  }
  return lines
}

describe('the HTML report in Chromium', () => {
  it('renders its three charts offline, with the right number of points, and no page error', async () => {
    const report = await buildReport([workload().join('\n')])
    const dir = mkdtempSync(join(tmpdir(), 'report-html-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'report.html')
    writeFileSync(file, renderHtml(report))
    const { context, close } = await openBrowser()
    try {
      const page = await context.newPage()
      const requests: string[] = []
      const errors: string[] = []
      page.on('request', (request) => requests.push(request.url()))
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(pathToFileURL(file).href)
      await page.waitForSelector('body[data-charts="3"]', { timeout: 10_000 })
      const charts = await page.evaluate(drawnCharts)

      expect(errors).toEqual([])
      expect(requests).toEqual([pathToFileURL(file).href])
      expect(charts.map(({ kind, points, series }) => ({ kind, points, series }))).toEqual([
        { kind: 'timeout-share', points: 21, series: 1 },
        { kind: 'durations', points: 40, series: 3 },
        { kind: 'phases', points: 10, series: 3 },
      ])
      for (const chart of charts) expect(chart.inked, chart.kind).toBeGreaterThan(1000)
      const fn = report.functions[0]
      expect(fn?.charts.timeoutShare?.counts.reduce((a, b) => a + b, 0)).toBe(40)
      expect(await page.textContent('h2')).toBe('orders · version $LATEST')
    } finally {
      await close()
    }
  })
})
