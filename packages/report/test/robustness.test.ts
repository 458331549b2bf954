import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildReport } from '../src/index.js'
import { invocationLines, platformReport, platformStart, requestId, timeoutLine, timingLine } from './lines.js'

// Whatever a log holds, the report reads past it: malformed lines, JSON cut short, other tools'
// JSON, binary noise, lines of several functions interleaved. Nothing throws; every line is
// counted somewhere; the invocations that were whole are all there.

const invocation = fc.record({
  n: fc.nat(10_000),
  fn: fc.constantFrom('orders', 'billing', 'search'),
  durationMs: fc.double({ min: 0.1, max: 20_000, noNaN: true }),
  json: fc.boolean(),
})

const noise = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc.constantFrom(
    '{',
    '{"requestId":',
    '"events": [',
    '}',
    '],',
    'REPORT RequestId:',
    'START RequestId: ',
    'EVENTS\t',
    '2026-11-30T10:00:00+00:00 stream',
  ),
  fc.constant(timingLine({ requestId: requestId(1, 'zzzz'), durationMs: 5 }).slice(0, 60)),
  fc.constant(timeoutLine({ requestId: requestId(2, 'zzzz'), elapsedMs: 5 }).slice(0, 90)),
  fc.constant('{"level":"info","msg":"pino","time":1}'),
)

describe('malformed and mixed input', () => {
  it('never throws, counts every line, and finds every whole invocation among noise and other functions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(invocation, { selector: (i) => i.n, maxLength: 25 }),
        fc.array(noise, { maxLength: 40 }),
        fc.nat(),
        async (invocations, junk, seed) => {
          const blocks = invocations.map(({ n, fn, durationMs, json }) => {
            const id = requestId(n)
            if (!json) return invocationLines(id, { durationMs, functionName: fn })
            return [platformStart(id), timingLine({ requestId: id, durationMs, functionName: fn }), platformReport(id, { durationMs })]
          })
          // Interleave the invocations' lines with each other and with the noise, keeping each one's order.
          const queues = [...blocks.map((b) => [...b]), ...junk.map((j) => [j])]
          const lines: string[] = []
          let state = seed
          while (queues.some((q) => q.length > 0)) {
            state = (state * 1_103_515_245 + 12_345) % 2 ** 31
            const open = queues.filter((q) => q.length > 0)
            lines.push((open[state % open.length] as string[]).shift() as string)
          }
          const report = await buildReport([lines.join('\n')], { timeoutMs: 30_000 })
          const { input } = report
          const text = lines.join('\n')
          // A final empty line is no line (as `wc -l` and every editor count them).
          expect(input.lines).toBe(text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0))
          const byFunction = Object.fromEntries(report.functions.map((f) => [f.function, f.invocations]))
          for (const fn of ['orders', 'billing', 'search']) {
            const expected = invocations.filter((i) => i.fn === fn).length
            // Noise may name a request id of its own (a cut-short record), never take away a real one.
            expect(byFunction[fn] ?? 0).toBeGreaterThanOrEqual(expected)
          }
          const real = invocations.length
          expect(report.functions.reduce((sum, f) => sum + f.outcomes.success, 0)).toBeGreaterThanOrEqual(real)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('counts what it skipped, by kind', async () => {
    const good = invocationLines(requestId(1), { durationMs: 10 })
    const lines = [
      ...good,
      timingLine({ requestId: requestId(2), durationMs: 1 }).slice(0, 50),
      '{"msg":"from pino"}',
      'plain text',
      'x'.repeat(2 ** 20 + 10),
    ]
    const report = await buildReport([lines.join('\n')])
    expect(report.input).toMatchObject({ lines: 8, invocations: 1, otherLines: 1, skipped: { malformed: 1, foreignJson: 1, tooLong: 1 } })
  })
})
