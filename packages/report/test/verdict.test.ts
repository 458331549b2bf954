import { describe, expect, it } from 'vitest'
import { buildReport, type FunctionReport, type Report } from '../src/index.js'
import { endLine, platformReport, platformStart, reportLine, requestId, startLine, timeoutLine, timingLine } from './lines.js'

// What one invocation amounts to when only some of its lines are in the logs. (Written for the
// survivors of verdict.ts's mutation run.)

const run = (lines: string[]): Promise<Report> => buildReport([lines.join('\n')], {})
const only = (report: Report): FunctionReport => {
  expect(report.functions).toHaveLength(1)
  return report.functions[0] as FunctionReport
}
const id = requestId(1)
const routine = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    ...JSON.parse(timingLine({ requestId: id, durationMs: 5 })),
    sampleRate: 0.1,
    nearMiss: false,
    coldStart: false,
    ...fields,
  })

describe('an error that only Lambda saw', () => {
  it("is an error when Lambda's REPORT says so: Status error or failure, or an Error Type alone", async () => {
    const withStatus = (status: string) => `${reportLine(id, { durationMs: 12 })}Status: ${status}\t`
    expect(only(await run([startLine(id), endLine(id), withStatus('error')])).outcomes).toMatchObject({ error: 1, success: 0 })
    expect(only(await run([platformStart(id), platformReport(id, { durationMs: 12, status: 'failure' })])).outcomes).toMatchObject({
      error: 1,
      success: 0,
    })
    const errorTypeOnly = `${reportLine(id, { durationMs: 12 })}Error Type: Runtime.ExitError\t`
    expect(only(await run([startLine(id), endLine(id), errorTypeOnly])).outcomes).toMatchObject({ error: 1, success: 0 })
  })
})

describe('where a duration and a cold start come from', () => {
  it("is our record's duration when Lambda's REPORT is not in the logs", async () => {
    // And an invocation that only started has no duration, from either source.
    const fn = only(await run([timingLine({ requestId: id, durationMs: 250 }), startLine(requestId(2))]))
    expect(fn.duration).toMatchObject({ count: 1, p50: 250, source: { lambda: 0, record: 1 } })
  })

  it("is a cold start when Lambda's REPORT has an Init Duration, whatever the record says", async () => {
    const lines = [startLine(id), timingLine({ requestId: id, durationMs: 50, coldStart: false }), endLine(id)]
    const fn = only(await run([...lines, reportLine(id, { durationMs: 51, initDurationMs: 240 })]))
    expect(fn.coldStarts).toMatchObject({ count: 1, init: { count: 1, p50: 240 } })
  })
})

describe('the reserve an invocation ran with', () => {
  it("is read from the watchdog's record when it is the only one (the loop was blocked at the cutoff)", async () => {
    const lines = [
      startLine(id),
      timeoutLine({ requestId: id, elapsedMs: 2501, reserveMs: 500, source: 'watchdog' }),
      endLine(id),
      reportLine(id, { durationMs: 3000, status: 'timeout' }),
    ]
    const reserve = only(await run(lines)).recommendations.find((r) => r.kind === 'reserve')
    expect(reserve).toMatchObject({ evidence: { blockedAtCutoff: 1, currentMs: 500 } })
  })
})

describe('a budget that is no budget', () => {
  it('a record whose budget is 0 (cut or made up) says nothing of the timeout', async () => {
    const fn = only(await run([JSON.stringify({ ...JSON.parse(timingLine({ requestId: id, durationMs: 5 })), budgetMs: 0 })]))
    expect(fn.timeout).toEqual({ ms: null, source: null })
  })
})

describe('how many invocations a sampled record stands for', () => {
  it('one, when a line Lambda never samples shows the invocation (START alone, or REPORT alone)', async () => {
    expect(only(await run([startLine(id), routine(), endLine(id)])).invocations).toBe(1)
    expect(only(await run([routine(), reportLine(id, { durationMs: 6 })])).invocations).toBe(1)
  })

  it('1 / its rate, when nothing else shows it', async () => {
    expect(only(await run([routine()])).invocations).toBe(10)
  })
})

describe('which function an invocation is of (attribution)', () => {
  const runWith = (lines: string[], options = {}): Promise<Report> => buildReport([lines.join('\n')], options)
  const tail = (stream: string, line: string) => `2026-11-30T10:00:00.000000+00:00 ${stream} ${line}`

  it('the functionName option names what nothing in the logs names', async () => {
    const fn = only(await runWith([startLine(id), endLine(id), reportLine(id, { durationMs: 5 })], { functionName: 'orders' }))
    expect(fn.function).toBe('orders')
  })

  it('the alias comes from the ARN the record says it was invoked by (a version or $LATEST is no alias)', async () => {
    const invokedBy = (arn: string) =>
      JSON.stringify({ ...JSON.parse(timingLine({ requestId: id, durationMs: 5, functionName: 'orders' })), invokedFunctionArn: arn })
    expect(only(await runWith([invokedBy('arn:aws:lambda:eu-west-1:123456789012:function:orders:live')]))).toMatchObject({
      function: 'orders',
      alias: 'live',
    })
    for (const versionOrLatest of ['7', '12', '$LATEST'])
      expect(only(await runWith([invokedBy(`arn:aws:lambda:eu-west-1:123456789012:function:orders:${versionOrLatest}`)])).alias).toBeNull()
    // An alias may hold digits; only digits alone make a version.
    for (const alias of ['live2', '2026-release'])
      expect(only(await runWith([invokedBy(`arn:aws:lambda:eu-west-1:123456789012:function:orders:${alias}`)])).alias).toBe(alias)
    // A record without a name of its own is named by the ARN.
    const unnamed = { ...JSON.parse(timingLine({ requestId: id, durationMs: 5 })), functionName: undefined }
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:billing:$LATEST'
    expect(only(await runWith([JSON.stringify({ ...unnamed, invokedFunctionArn: arn })]))).toMatchObject({ function: 'billing' })
  })

  it("a shared log group's stream names its function; a function's own stream has no name in it", async () => {
    const shared = only(
      await runWith([
        tail('2026/11/30/orders[3]0123abcd', startLine(id, '3')),
        tail('2026/11/30/orders[3]0123abcd', reportLine(id, { durationMs: 5 })),
      ]),
    )
    expect(shared).toMatchObject({ function: 'orders', version: '3' })
    const own = only(
      await runWith(
        [tail('2026/11/30/[3]0123abcd', startLine(id, '3')), tail('2026/11/30/[3]0123abcd', reportLine(id, { durationMs: 5 }))],
        {
          functionName: 'billing',
        },
      ),
    )
    expect(own).toMatchObject({ function: 'billing', version: '3' })
  })
})
