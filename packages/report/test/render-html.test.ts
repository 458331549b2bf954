import { describe, expect, it } from 'vitest'
import { buildReport, type Report, renderHtml, renderText } from '../src/index.js'
import { endLine, invocationLines, reportLine, requestId, startLine, timingLine } from './lines.js'
import { billingLines, ordersLines } from './two-functions.js'

// The HTML report's own markup as a browser gets it, compared whole (render.test.ts checks single
// elements of it; html.test.ts draws the charts in a browser): headings, the tables and their
// cells, the recommendations, the chart placeholders, and the text report inside the page.

const at = '2026-12-02T12:00:00.000Z'
const reportOf = async (lines: string[]): Promise<Report> => ({ ...(await buildReport([lines.join('\n')])), generatedAt: at })

describe('the HTML report, whole', () => {
  it('shows two functions, every outcome, tables, recommendations and charts in the page, tag for tag', async () => {
    const report = await reportOf([...ordersLines(), ...billingLines()])
    const html = renderHtml(report)
    expect(html.startsWith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')).toBe(true)
    expect(html).toContain('<title>middy-deadline report: billing, orders</title>')
    const body = html.slice(html.indexOf('<body>\n') + '<body>\n'.length, html.indexOf('<details>'))
    expect(body).toBe(`<h1>middy-deadline report: billing, orders</h1>
<p class="muted">15 invocations from 86 lines, 2026-11-30T10:00:00.000Z to 2026-11-30T10:05:04.000Z. Generated 2026-12-02T12:00:00.000Z. Charts: uPlot (MIT), inlined.</p>
<h2>billing · version $LATEST · alias live</h2>
<p>Timeout 6000 ms (from records). 13 invocations: 12 success, 0 error, 1 graceful timeout, 0 hard kill (0 seen only in Lambda's lines); 0 near-misses; 0 cold starts.</p>
<table><tr><th></th><th>n</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr><tr><td>duration (ms)</td><td>13</td><td>210.64</td><td>219.23</td><td>5598.41</td><td>5600</td></tr><tr><td>timeout used</td><td>13</td><td>3.5 %</td><td>3.7 %</td><td>93.3 %</td><td>93.3 %</td></tr><tr><td>memory (MB of 256)</td><td>13</td><td>80.6</td><td>80.6</td><td>89.1</td><td>90</td></tr></table>
<h3>Recommendations</h3>
<div class="rec"><b>timeout: keep</b> <span class="muted">(confidence low, 3)</span><br>1 timed out, but completed invocations need only 219 ms at p99 (4 % of the timeout): those are hangs, not slow work; a longer timeout only waits longer. Bound the calls instead (per-request limits)</div>
<div class="rec"><b>reserve: lower → 150 ms</b> <span class="muted">(confidence low, 1)</span><br>settling after the cutoff took 100 ms at p99: a 500 ms reserve gives away 350 ms of every invocation; 150 ms covers it 1.5×</div>
<div class="rec"><b>memory: keep</b> <span class="muted">(confidence low, 4)</span><br>peak memory 90 MB of 256 MB (35 %)</div>
<div class="chart" id="share-0"></div>
<div class="chart" id="durations-0"></div>
<div class="chart" id="phases-0"></div>
<h3>Phases</h3><table><tr><th>phase</th><th>n</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>slow share</th></tr><tr><td>handler</td><td>13</td><td>210.635</td><td>5598.409</td><td>5600</td><td>100.0 %</td></tr></table>

<h2>orders · version 7</h2>
<p>Timeout 3000 ms (from lambda). 11 invocations: 5 success, 1 error, 1 graceful timeout, 3 hard kill (1 seen only in Lambda's lines), 1 unknown; 2 near-misses; 1 cold starts.</p>
<table><tr><th></th><th>n</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr><tr><td>duration (ms)</td><td>10</td><td>2501</td><td>3000</td><td>3000</td><td>3000</td></tr><tr><td>timeout used</td><td>10</td><td>83.4 %</td><td>100.0 %</td><td>100.0 %</td><td>100.0 %</td></tr><tr><td>init (ms)</td><td>1</td><td>310</td><td>310</td><td>310</td><td>310</td></tr><tr><td>memory (MB of 512)</td><td>10</td><td>100</td><td>140</td><td>150</td><td>150</td></tr></table>
<h3>Recommendations</h3>
<div class="rec"><b>timeout: raise → 5000 ms</b> <span class="muted">(confidence low, 6)</span><br>4 timed out and completed invocations reach 87 % of the timeout at p99: the timeouts are the tail of the same work; raise to 5 s</div>
<div class="rec"><b>reserve: raise → 1000 ms</b> <span class="muted">(confidence low, 2)</span><br>1 invocations reached the cutoff and were still killed: the hooks and settling took longer than the reserve; raise it to 1000 ms</div>
<div class="rec"><b>per-request-limit: set → 1250 ms</b> <span class="muted">(confidence low, 8)</span><br>GET https://api.example.com/items: limit each request to 1250 ms (its p99 (2500 ms) × 1.5 does not fit in half the invocation's budget (2500 ms): with 1250 ms the slowest calls will fail fast; if they must succeed, move this call to a queue); 1 calls were still running at a cutoff</div>
<div class="rec"><b>per-request-limit: set → 50 ms</b> <span class="muted">(confidence low, 8)</span><br>POST https://cache.example.com/get: limit each request to 50 ms (p99 9 ms × 1.5)</div>
<div class="rec"><b>memory: raise → 1769 MB</b> <span class="muted">(confidence low, 1)</span><br>the event loop was blocked at 1 cutoffs (the watchdog wrote the record): CPU-bound work; Lambda scales CPU with memory (a full vCPU at 1769 MB), so more memory makes it faster</div>
<div class="chart" id="share-1"></div>
<div class="chart" id="durations-1"></div>
<div class="chart" id="phases-1"></div>
<h3>Phases</h3><table><tr><th>phase</th><th>n</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>slow share</th></tr><tr><td>handler</td><td>9</td><td>219.232</td><td>2566.277</td><td>2580</td><td>99.5 %</td></tr><tr><td>auth</td><td>8</td><td>10</td><td>10</td><td>10</td><td>0.3 %</td></tr></table>
<h3>Outbound targets</h3><table><tr><th>target</th><th>calls</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>timeouts</th><th>at cutoff</th><th>slow share</th></tr><tr><td>GET https://api.example.com/items</td><td>8</td><td>141.19</td><td>2500</td><td>2500</td><td>0</td><td>1</td><td>64.0 %</td></tr><tr><td>POST https://cache.example.com/get</td><td>8</td><td>5.99</td><td>8.94</td><td>9</td><td>0</td><td>0</td><td>0.2 %</td></tr></table>
`)
    const escaped = renderText(report).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
    expect(html).toContain(`<details><summary>The same report as text</summary><pre>${escaped}</pre></details>\n`)
    expect(html.endsWith('</script>\n</body>\n</html>\n')).toBe(true)
  })
})

describe('the HTML report, its edges', () => {
  it('escapes quotes and ampersands in the page, and line separators in its embedded JSON', async () => {
    const name = 'a&b"c'
    const message = 'line\u2028separator\u2029paragraph </script>'
    const report = await reportOf([
      ...invocationLines(requestId(1), { durationMs: 10, functionName: name }),
      JSON.stringify({ level: 'WARN', package: '@middy-deadline/deadline', message }),
    ])
    const html = renderHtml(report)
    expect(html).toContain('<h2>a&amp;b&quot;c · version $LATEST</h2>')
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? ''
    expect(json).not.toMatch(/[\u2028\u2029<]/)
    expect(json).toContain('line\\u2028separator\\u2029paragraph \\u003c/script>')
    expect(JSON.parse(json).warnings[0].message).toBe(message)
  })

  it('lists the 12 slowest phases and targets of a function, no more', async () => {
    const phases = Array.from({ length: 13 }, (_, p) => ({ name: `phase${String(p).padStart(2, '0')}`, durationMs: 1 + p }))
    const lines = Array.from({ length: 13 }, (_, i) =>
      invocationLines(requestId(i), {
        durationMs: 100 + i,
        phases,
        calls: [{ target: `https://t${String(i).padStart(2, '0')}.example.com/`, durationMs: 10 + i }],
      }),
    ).flat()
    const html = renderHtml(await reportOf(lines))
    const firstCells = (heading: string) => {
      const table = new RegExp(`<h3>${heading}</h3><table>(.*?)</table>`).exec(html)?.[1] ?? ''
      return [...table.matchAll(/<tr><td>([^<]*)<\/td>/g)].map((row) => row[1])
    }
    const numbered = (name: (n: number) => string) => Array.from({ length: 12 }, (_, i) => name(12 - i))
    expect(firstCells('Phases')).toEqual(numbered((n) => `phase${String(n).padStart(2, '0')}`))
    expect(firstCells('Outbound targets')).toEqual(numbered((n) => `GET https://t${String(n).padStart(2, '0')}.example.com/`))
  })

  it("shows a function known from Lambda's lines only: durations and memory, no timeout, phases or downstreams", async () => {
    const id = requestId(1)
    const html = renderHtml(await reportOf([startLine(id), endLine(id), reportLine(id, { durationMs: 40 })]))
    const section = html.slice(html.indexOf('<h2>'), html.indexOf('<details>'))
    expect(section).toBe(`<h2>(unknown function) · version $LATEST</h2>
<p>Timeout unknown. 1 invocations: 1 success, 0 error, 0 graceful timeout, 0 hard kill (0 seen only in Lambda's lines); 0 near-misses; 0 cold starts.</p>
<table><tr><th></th><th>n</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr><tr><td>duration (ms)</td><td>1</td><td>40</td><td>40</td><td>40</td><td>40</td></tr><tr><td>memory (MB of 1024)</td><td>1</td><td>90</td><td>90</td><td>90</td><td>90</td></tr></table>
<h3>Recommendations</h3>
<div class="rec"><b>timeout: set → 1000 ms</b> <span class="muted">(confidence low, 1)</span><br>p99 of completed invocations is 40 ms: set the timeout to 1 s (p99 × 1.5 + reserve)</div>
<div class="rec"><b>memory: lower → 256 MB</b> <span class="muted">(confidence low, 1)</span><br>peak memory is 9 % of 1024 MB: 256 MB would hold it twice over, but CPU shrinks with memory: confirm with Lambda Power Tuning before lowering</div>
<div class="chart" id="share-0"></div>
<div class="chart" id="durations-0"></div>
<div class="chart" id="phases-0"></div>


`)
  })

  it('shows a function known only from a START: its outcome unknown, and no table or recommendation', async () => {
    const html = renderHtml(await reportOf([startLine(requestId(1))]))
    const section = html.slice(html.indexOf('<h2>'), html.indexOf('<details>'))
    expect(section).toBe(`<h2>(unknown function) · version $LATEST</h2>
<p>Timeout unknown. 1 invocations: 0 success, 0 error, 0 graceful timeout, 0 hard kill (0 seen only in Lambda's lines), 1 unknown; 0 near-misses; 0 cold starts.</p>

<h3>Recommendations</h3>
<p class="muted">None: not enough to go on.</p>
<div class="chart" id="share-0"></div>
<div class="chart" id="durations-0"></div>
<div class="chart" id="phases-0"></div>


`)
  })

  it('shows memory it only half knows, in the page and in the text: the peak without the size, the size without a peak', async () => {
    /** A timing record with only the memory fields given. */
    const record = (n: number, memory: Record<string, number>) => {
      const { maxRssMB: _, memoryLimitMB: __, ...rest } = JSON.parse(timingLine({ requestId: requestId(n), durationMs: 20 }))
      return JSON.stringify({ ...rest, ...memory })
    }
    const peakOnly = await reportOf([record(1, { maxRssMB: 90 })])
    expect(renderHtml(peakOnly)).toContain(
      '<tr><td>memory (MB of ?)</td><td>1</td><td>90</td><td>90</td><td>90</td><td>90</td></tr></table>',
    )
    expect(renderText(peakOnly)).toContain('\ncold starts: 0; memory: peak 90 of ? MB\n')
    const sizeOnly = await reportOf([record(1, { memoryLimitMB: 512 })])
    // The table ends with the timeout's row: nothing stands for the memory row.
    expect(renderHtml(sizeOnly)).toContain(
      '<tr><td>timeout used</td><td>1</td><td>0.7 %</td><td>0.7 %</td><td>0.7 %</td><td>0.7 %</td></tr></table>',
    )
    expect(renderText(sizeOnly)).toContain('\ncold starts: 0; memory: peak ? of 512 MB\n')
  })
})
