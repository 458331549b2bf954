import { describe, expect, it } from 'vitest'
import { buildReport, type Report, renderHtml, renderText } from '../src/index.js'
import { endLine, invocationLines, reportLine, requestId, startLine, timeoutLine, timingLine } from './lines.js'

// The text and HTML reports as a reader sees them, from reports that take every branch of the
// page: no invocations, an unknown timeout, versions and aliases, kills, blocked cutoffs, sampled
// records, downstreams with timeouts, warnings, and a name that would break the page unescaped.

const run = (lines: string[], options = {}): Promise<Report> => buildReport([lines.join('\n')], options)

/** One function with a bit of everything: a cutoff killed anyway, a blocked loop, calls, a warning. */
function busyLines(): string[] {
  const lines: string[] = []
  for (let i = 0; i < 6; i++) {
    const id = requestId(i)
    lines.push(
      ...invocationLines(id, {
        durationMs: 200 + i * 100,
        functionName: 'orders<script>',
        functionVersion: '7',
        phases: [
          { name: 'authBefore', durationMs: 20 },
          { name: 'handler', durationMs: 150 + i * 100 },
        ],
        calls: [
          { target: 'https://api.example.com/items', durationMs: 120 + i * 90, outcome: i === 5 ? 'timeout' : 'ok' },
          { target: 'https://cache.example.com/get', durationMs: 5 },
        ],
        callsStarted: 4,
      }),
    )
  }
  // Reached the cutoff and killed anyway; then blocked at the cutoff (the watchdog's record).
  lines.push(startLine(requestId(6), '7'), timeoutLine({ requestId: requestId(6), elapsedMs: 2500 }), endLine(requestId(6)))
  lines.push(reportLine(requestId(6), { durationMs: 3000, status: 'timeout' }))
  lines.push(startLine(requestId(7), '7'), timeoutLine({ requestId: requestId(7), elapsedMs: 2500, source: 'watchdog' }))
  lines.push(endLine(requestId(7)), reportLine(requestId(7), { durationMs: 3000, status: 'timeout' }))
  lines.push(JSON.stringify({ level: 'WARN', package: '@middy-deadline/timing-logger', message: 'deadlinePlugin() is not set up' }))
  return lines
}

describe('the text report', () => {
  it('says when there is nothing to report', async () => {
    const text = renderText(await run([]))
    expect(text).toBe('middy-deadline report: 0 invocations in 0 function(s), from 0 lines\n')
  })

  it('shows a function with an unknown timeout and no records of ours: outcomes, unknown ones, no tables it cannot fill', async () => {
    const id = requestId(1)
    const text = renderText(await run([startLine(id), endLine(id), reportLine(id, { durationMs: 40 }), startLine(requestId(2))]))
    expect(text).toContain('timeout unknown; 2 invocations: 1 success, 0 error, 0 graceful timeout, 0 hard kill')
    expect(text).toContain(', 1 unknown; 0 near-misses')
    expect(text).not.toContain('timeout used')
    expect(text).not.toContain('Where the time went')
    expect(text).not.toContain('Outbound targets')
  })

  it('shows versions, cutoffs, phases, downstreams (sampled calls, timeouts), recommendations and warnings', async () => {
    const report = await run(busyLines())
    const text = renderText(report)
    expect(text).toContain('== orders<script> · version 7')
    expect(text).toContain(
      "timeout 3000 ms (from lambda); 8 invocations: 6 success, 0 error, 0 graceful timeout, 2 hard kill (0 seen only in Lambda's lines)",
    )
    expect(text).toContain("cutoff: 1 killed after graceful-timeout's cutoff record, 1 with the event loop blocked (watchdog record)")
    expect(text).toMatch(/timeout used\s+8\s/)
    expect(text).toContain('Outbound targets by p99 (12 of 24 calls logged: each record keeps its 3 slowest)')
    expect(text).toMatch(/GET https:\/\/api\.example\.com\/items\s+6(\s+[\d.]+){3}\s+1\s+0\s/)
    expect(text).toMatch(/- \[timeout\] (raise|keep|lower|set)/)
    expect(text).toMatch(/- \[per-request-limit\] set → \d+ ms \(confidence low: 6\)/)
    expect(text).toContain('Warnings logged by our packages')
    expect(text).toMatch(/1\s+@middy-deadline\/timing-logger\s+deadlinePlugin\(\) is not set up/)
    expect(text).toContain(`, ${report.input.firstTimestamp} to ${report.input.lastTimestamp}`)
  })

  it('names an alias, and shows what was skipped', async () => {
    const id = requestId(3)
    const timing = JSON.parse(timingLine({ requestId: id, durationMs: 10 }))
    const lines = [JSON.stringify({ ...timing, invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:orders:live' }), '{"cut": ']
    const text = renderText(await run(lines))
    expect(text).toContain('== orders · version $LATEST · alias live')
    expect(text).toContain('skipped: 1 malformed')
  })
})

describe('the HTML report', () => {
  it('escapes what the logs say, in the page and in its embedded JSON', async () => {
    const html = renderHtml(await run(busyLines()))
    expect(html).toContain('<h2>orders&lt;script&gt; · version 7</h2>')
    expect(html).not.toContain('orders<script>')
    const data = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? ''
    expect(JSON.parse(data).functions[0].function).toBe('orders<script>')
    expect(html).toContain('<h3>Phases</h3>')
    expect(html).toContain('<h3>Outbound targets</h3>')
    expect(html).toMatch(/<tr><td>timeout used<\/td><td>8<\/td>/)
    expect(html).toContain('<details><summary>The same report as text</summary>')
  })

  it('says so when there is nothing to show: no invocations, no timeout, no recommendations', async () => {
    const empty = renderHtml(await run([]))
    expect(empty).toContain('<title>middy-deadline report: no invocations</title>')
    expect(empty).toContain('<p class="muted">0 invocations from 0 lines. Generated')
    const lambdaOnly = renderHtml(await run([startLine(requestId(4))]))
    expect(lambdaOnly).toContain('<p>Timeout unknown. 1 invocations')
    expect(lambdaOnly).toContain('None: not enough to go on.')
    expect(lambdaOnly).not.toContain('<h3>Phases</h3>')
    expect(lambdaOnly).not.toContain('<td>timeout used</td>')
  })

  it('names a function with its alias, and a timeout given as an option', async () => {
    const id = requestId(5)
    const timing = JSON.parse(timingLine({ requestId: id, durationMs: 10, coldStart: true, initDurationMs: 120 }))
    const html = renderHtml(
      await run([JSON.stringify({ ...timing, invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:orders:live' })], {
        timeoutMs: 3000,
      }),
    )
    expect(html).toContain('<h2>orders · version $LATEST · alias live</h2>')
    expect(html).toContain('<p>Timeout 3000 ms (from option).')
    expect(html).toMatch(/<tr><td>init \(ms\)<\/td><td>1<\/td><td>120<\/td>/)
  })
})
