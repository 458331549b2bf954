import { describe, expect, it } from 'vitest'
import { buildReport, type Report, renderText } from '../src/index.js'
import { endLine, invocationLines, reportLine, requestId, startLine, timeoutLine, timingLine } from './lines.js'
import { billingLines, ordersLines } from './two-functions.js'

// The text report as a terminal shows it, compared whole: every word, number, separator and column
// a reader sees. render.test.ts checks single lines of it; here a change anywhere in the text fails.

const run = (lines: string[], options = {}): Promise<Report> => buildReport([lines.join('\n')], options)

describe('the text report, whole', () => {
  it('prints two functions, every outcome, sampling, cutoffs, tables, recommendations and warnings, word for word', async () => {
    const text = renderText(await run([...ordersLines(), ...billingLines()]))
    expect(
      text,
    ).toBe(`middy-deadline report: 15 invocations in 2 function(s), from 86 lines, 2026-11-30T10:00:00.000Z to 2026-11-30T10:05:04.000Z
skipped: 1 malformed, 1 foreignJson

== billing · version $LATEST · alias live
timeout 6000 ms (from records); 13 invocations: 12 success, 0 error, 1 graceful timeout, 0 hard kill (0 seen only in Lambda's lines); 0 near-misses
sampled: 3 routine timing records at sampleRate 0.25 stand for 1 / rate invocations each; counts and figures are scaled estimates (4 invocations in the logs)
                      n       p50       p90        p99        max
duration             13  210.6 ms  219.2 ms  5598.4 ms  5600.0 ms
timeout used         13     3.5 %     3.7 %     93.3 %     93.3 %
memory used          13     81 MB     81 MB      89 MB      90 MB
settle after cutoff   1  100.0 ms  100.0 ms   100.0 ms   100.0 ms
cold starts: 0; memory: peak 90 of 256 MB (35.2 %)

Where the time went (phases; slow share = of the slowest 10 % invocations’ time)
phase     n  p50 ms  p99 ms  max ms  slow share
handler  13   210.6  5598.4  5600.0     100.0 %

Recommendations
- [timeout] keep (confidence low: 3)
    1 timed out, but completed invocations need only 219 ms at p99 (4 % of the timeout): those are hangs, not slow work; a longer timeout only waits longer. Bound the calls instead (per-request limits)
- [reserve] lower → 150 ms (confidence low: 1)
    settling after the cutoff took 100 ms at p99: a 500 ms reserve gives away 350 ms of every invocation; 150 ms covers it 1.5×
- [memory] keep (confidence low: 4)
    peak memory 90 MB of 256 MB (35 %)

== orders · version 7
timeout 3000 ms (from lambda); 11 invocations: 5 success, 1 error, 1 graceful timeout, 3 hard kill (1 seen only in Lambda's lines), 1 unknown; 2 near-misses
sampled: 2 routine timing records at sampleRate 0.5 stand for 1 / rate invocations each; invocation counts are Lambda's own (complete); figures from the records (phases, targets) are scaled
cutoff: 1 killed after graceful-timeout's cutoff record, 1 with the event loop blocked (watchdog record)
                      n        p50        p90        p99        max
duration             10  2501.0 ms  3000.0 ms  3000.0 ms  3000.0 ms
timeout used         10     83.4 %    100.0 %    100.0 %    100.0 %
init (cold)           1   310.0 ms   310.0 ms   310.0 ms   310.0 ms
memory used          10     100 MB     140 MB     150 MB     150 MB
settle after cutoff   1    60.0 ms    60.0 ms    60.0 ms    60.0 ms
cold starts: 1; memory: peak 150 of 512 MB (29.3 %)

Where the time went (phases; slow share = of the slowest 10 % invocations’ time)
phase    n  p50 ms  p99 ms  max ms  slow share
handler  9   219.2  2566.3  2580.0      99.5 %
auth     8    10.0    10.0    10.0       0.3 %

Outbound targets by p99 (16 of 19 calls logged: each record keeps its 3 slowest)
target                              calls  p50 ms  p99 ms  max ms  timeouts  at cutoff  slow share
GET https://api.example.com/items       8   141.2  2500.0  2500.0         0          1      64.0 %
POST https://cache.example.com/get      8     6.0     8.9     9.0         0          0       0.2 %

Recommendations
- [timeout] raise → 5000 ms (confidence low: 6)
    4 timed out and completed invocations reach 87 % of the timeout at p99: the timeouts are the tail of the same work; raise to 5 s
- [reserve] raise → 1000 ms (confidence low: 2)
    1 invocations reached the cutoff and were still killed: the hooks and settling took longer than the reserve; raise it to 1000 ms
- [per-request-limit] set → 1250 ms (confidence low: 8)
    GET https://api.example.com/items: limit each request to 1250 ms (its p99 (2500 ms) × 1.5 does not fit in half the invocation's budget (2500 ms): with 1250 ms the slowest calls will fail fast; if they must succeed, move this call to a queue); 1 calls were still running at a cutoff
- [per-request-limit] set → 50 ms (confidence low: 8)
    POST https://cache.example.com/get: limit each request to 50 ms (p99 9 ms × 1.5)
- [memory] raise → 1769 MB (confidence low: 1)
    the event loop was blocked at 1 cutoffs (the watchdog wrote the record): CPU-bound work; Lambda scales CPU with memory (a full vCPU at 1769 MB), so more memory makes it faster

Warnings logged by our packages
count  package                           message
2      @middy-deadline/timing-logger     deadlinePlugin() is not set up
1      @middy-deadline/graceful-timeout  the reserve is shorter than the watchdog needs
`)
  })
})

describe('the text report, its edges', () => {
  it('prints a function with no record of ours and no complete invocation without tables or recommendations', async () => {
    const text = renderText(await run([startLine(requestId(2))]))
    expect(text).toBe(`middy-deadline report: 1 invocations in 1 function(s), from 1 lines

== (unknown function) · version $LATEST
timeout unknown; 1 invocations: 0 success, 0 error, 0 graceful timeout, 0 hard kill (0 seen only in Lambda's lines), 1 unknown; 0 near-misses
cold starts: 0; memory: peak ? of ? MB
`)
  })

  it('says how many were killed after the cutoff, and how many blocked, when only one of them happened', async () => {
    const killed = requestId(3)
    const afterCutoff = renderText(
      await run([
        startLine(killed),
        timeoutLine({ requestId: killed, elapsedMs: 2500 }),
        endLine(killed),
        reportLine(killed, { durationMs: 3000, status: 'timeout' }),
      ]),
    )
    expect(afterCutoff).toContain(
      "\ncutoff: 1 killed after graceful-timeout's cutoff record, 0 with the event loop blocked (watchdog record)\n",
    )
    const blocked = requestId(4)
    const atBlockedCutoff = renderText(
      await run([
        startLine(blocked),
        timeoutLine({ requestId: blocked, elapsedMs: 2500, source: 'watchdog' }),
        endLine(blocked),
        reportLine(blocked, { durationMs: 3000, status: 'timeout' }),
      ]),
    )
    expect(atBlockedCutoff).toContain(
      "\ncutoff: 0 killed after graceful-timeout's cutoff record, 1 with the event loop blocked (watchdog record)\n",
    )
  })

  it('lists the 12 slowest phases and targets and the 10 most frequent warnings, no more', async () => {
    const lines: string[] = []
    const phases = Array.from({ length: 13 }, (_, p) => ({ name: `phase${String(p).padStart(2, '0')}`, durationMs: 1 + p }))
    for (let i = 0; i < 13; i++) {
      const target = `https://t${String(i).padStart(2, '0')}.example.com/`
      lines.push(...invocationLines(requestId(i), { durationMs: 100 + i, phases, calls: [{ target, durationMs: 10 + i }] }))
    }
    for (let w = 0; w < 11; w++)
      for (let n = 0; n <= w; n++)
        lines.push(JSON.stringify({ level: 'WARN', package: '@middy-deadline/deadline', message: `warning ${w}` }))
    const text = renderText(await run(lines))
    /** The first column of the table under `title`, header included. */
    const column = (title: string) => {
      const section =
        text
          .trimEnd()
          .split('\n\n')
          .find((part) => part.startsWith(title)) ?? ''
      return section
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s{2,}/)[0])
    }
    const numbered = (name: (n: number) => string) => Array.from({ length: 12 }, (_, i) => name(12 - i))
    expect(text).toContain('\n\nOutbound targets by p99\ntarget ')
    expect(column('Where the time went')).toEqual(['phase', ...numbered((n) => `phase${String(n).padStart(2, '0')}`)])
    expect(column('Outbound targets')).toEqual(['target', ...numbered((n) => `GET https://t${String(n).padStart(2, '0')}.example.com/`)])
    expect(column('Warnings logged by our packages')).toEqual(['count', ...Array.from({ length: 10 }, (_, i) => String(11 - i))])
  })

  it('names every sample rate seen, smallest first', async () => {
    const sampled = (n: number, sampleRate: number) =>
      JSON.stringify({ ...JSON.parse(timingLine({ requestId: requestId(n), durationMs: 20 })), sampleRate })
    const text = renderText(await run([sampled(1, 0.5), sampled(2, 0.25), sampled(3, 0.5)]))
    expect(text).toContain('\nsampled: 3 routine timing records at sampleRate 0.25, 0.5 stand for 1 / rate invocations each; ')
  })
})
