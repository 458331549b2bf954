import { setTimeout as delay } from 'node:timers/promises'
import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import middy, { type MiddlewareObj } from '@middy/core'
import { type DeadlineContext, deadlinePlugin } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import { type TimingLoggerOptions, timingLogger } from '@middy-deadline/timing-logger'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { captureConsole } from '../../../test/support/output.js'
import { captureStdout } from '../../graceful-timeout/test/capture.js'
import { buildReport, type FunctionReport, type Report, renderText } from '../src/index.js'
import { endLine, reportLine, startLine } from './lines.js'

// What the report reads is what our middlewares write: each record shape here is written by the
// real middleware in a real Middy chain, captured from stdout (or from Powertools Logger), and fed
// to the report as the log lines Lambda would keep.

type Line = Record<string, unknown>

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

/** The JSON lines written to stdout while `run` runs, one line each, as Lambda keeps them. */
async function written(run: () => Promise<unknown>): Promise<Line[]> {
  const stdout = captureStdout()
  try {
    await run()
  } finally {
    stdout.restore()
  }
  return stdout.lines()
}

/**
 * What Powertools Logger prints while `run` runs. In dev mode it prints through the global console
 * (pretty-printed); each entry is put back on one line, as Lambda's log would hold it.
 */
async function printedByPowertools(run: (logger: Logger) => Promise<unknown>): Promise<Line[]> {
  vi.stubEnv('POWERTOOLS_DEV', 'true')
  const printed = captureConsole(['info', 'warn', 'error']).chunks
  await run(new Logger({ serviceName: 'orders' }))
  return printed.map((line) => JSON.parse(line) as Line)
}

const report = (lines: (Line | string)[], options = {}): Promise<Report> =>
  buildReport([lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n')], options)

function only(result: Report): FunctionReport {
  expect(result.functions).toHaveLength(1)
  return result.functions[0] as FunctionReport
}

type Handler = (event: unknown, context: DeadlineContext) => Promise<unknown>

function chain(handler: Handler, options: Partial<TimingLoggerOptions> = {}, middlewares: MiddlewareObj[] = []) {
  const instance = middy(handler as never, deadlinePlugin()).use(timingLogger(options))
  for (const middleware of middlewares) instance.use(middleware)
  return instance
}

const context = { functionName: 'orders', memoryLimitInMB: 512, timeoutMs: 1000 }
const id = (n: number) => `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`

// The first invocation of timing-logger in this file is its cold start (always written): out of
// the way, so that the records below are warm unless a test says otherwise.
beforeAll(() =>
  written(() =>
    invokeWithTimeout(
      chain(async () => 'ok'),
      {},
      context,
    ),
  ),
)

describe('records as our middlewares write them to stdout', () => {
  it("reads timing-logger's record and graceful-timeout's timeout record (timestamp first): outcomes, settle, memory", async () => {
    const handler = chain(
      async (event, { deadline }) => {
        if ((event as { slow?: boolean }).slow) await delay(2000, undefined, { signal: deadline.signal }).catch(() => {})
        return 'ok'
      },
      {},
      [gracefulTimeout({ reserveMs: 200 })],
    )
    const lines = await written(async () => {
      await invokeWithTimeout(handler, {}, { ...context, awsRequestId: id(1) })
      await invokeWithTimeout(handler, { slow: true }, { ...context, awsRequestId: id(2) })
    })

    const timeoutRecord = lines.find((line) => line.package === '@middy-deadline/graceful-timeout' && line.level === 'ERROR')
    expect(Object.keys(timeoutRecord ?? {}).slice(0, 3)).toEqual(['timestamp', 'level', 'message'])
    const result = await report(lines)
    expect(result.input.recognised).toMatchObject({ timingRecords: 2, timeoutRecords: 1, truncatedRecords: 0 })
    const fn = only(result)
    expect(fn).toMatchObject({ function: 'orders', version: '$LATEST', invocations: 2, sampling: null })
    expect(fn.outcomes).toMatchObject({ success: 1, gracefulTimeout: 1 })
    expect(fn.memory.configuredMB).toBe(512)
    expect(fn.settle).toMatchObject({ count: 1, reserveMs: 200 })
    expect(fn.timeout).toEqual({ ms: 1000, source: 'records' })
  })
})

describe('records written through Powertools Logger', () => {
  it("reads the record under Powertools' names (function_request_id, cold_start, function_name, function_memory_size) and joins it with Lambda's lines", async () => {
    const lambdaContext = createLambdaContext({ ...context, awsRequestId: id(3) })
    // Invoked through an alias: Powertools' function_arn says which.
    lambdaContext.invokedFunctionArn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders:live'
    const lines = await printedByPowertools(async (logger) => {
      const handler = chain(async () => 'ok', { logger }, [injectLambdaContext(logger)])
      await invokeWithTimeout(handler, {}, { context: lambdaContext })
      await invokeWithTimeout(handler, {}, { ...context, awsRequestId: id(4) })
    })

    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({ function_request_id: id(3), function_name: 'orders', function_memory_size: '512', cold_start: false })
    expect(lines[0]).not.toHaveProperty('requestId')
    const lambdaLines = [3, 4].flatMap((n) => [startLine(id(n)), endLine(id(n)), reportLine(id(n), { durationMs: 20, memorySizeMB: 512 })])
    const result = await report([...lines, ...lambdaLines])
    expect(result.input.recognised.timingRecords).toBe(2)
    const [live, latest] = [...result.functions].sort((a, b) => (a.alias === null ? 1 : 0) - (b.alias === null ? 1 : 0))
    expect(live).toMatchObject({ function: 'orders', alias: 'live', invocations: 1, outcomes: { success: 1 } })
    expect(latest).toMatchObject({ function: 'orders', alias: null, invocations: 1 })
    expect(live?.duration?.source).toEqual({ lambda: 1, record: 0 })
    expect(live?.phases.map((phase) => phase.name)).toContain('handler')
  })

  it("reads a cold start and the memory size (a string) from Powertools' fields when no Lambda line says them", async () => {
    const [line] = await printedByPowertools(async (logger) => {
      await invokeWithTimeout(
        chain(async () => 'ok', { logger }),
        {},
        { ...context, awsRequestId: id(5) },
      )
    })
    const fn = only(await report([{ ...line, cold_start: true, initDurationMs: 180 }]))
    expect(fn.coldStarts).toMatchObject({ count: 1, init: { p50: 180 } })
    expect(fn.memory.configuredMB).toBe(512)
  })

  it("reads graceful-timeout's record through Powertools Logger", async () => {
    const lines = await printedByPowertools(async (logger) => {
      const handler = chain(
        async (_event, { deadline }) => delay(2000, undefined, { signal: deadline.signal }).catch(() => 'late'),
        { logger },
        [gracefulTimeout({ reserveMs: 200, logger })],
      )
      await invokeWithTimeout(handler, {}, { ...context, awsRequestId: id(6) })
    })
    const result = await report(lines)
    expect(result.input.recognised).toMatchObject({ timingRecords: 1, timeoutRecords: 1 })
    expect(only(result).outcomes.gracefulTimeout).toBe(1)
  })
})

describe('sampled records', () => {
  /** Nine warm invocations with sampleRate 0.25: eight successes, of which the draws keep two, and one error. */
  async function sampledWorkload() {
    const draws = [0.1, 0.5, 0.9, 0.3, 0.2, 0.6, 0.7, 0.8]
    const handler = chain(
      async (event) => {
        if ((event as { fail?: boolean }).fail) throw new Error('boom')
        return 'ok'
      },
      { sampleRate: 0.25, random: () => draws.shift() as number },
    )
    const lines = await written(async () => {
      for (let n = 10; n < 18; n++) await invokeWithTimeout(handler, {}, { ...context, awsRequestId: id(n) })
      await invokeWithTimeout(handler, { fail: true }, { ...context, awsRequestId: id(18) })
    })
    const lambdaLines = Array.from({ length: 9 }, (_, i) => id(10 + i)).flatMap((requestId) => [
      startLine(requestId),
      endLine(requestId),
      reportLine(requestId, { durationMs: 5 }),
    ])
    return { lines, lambdaLines }
  }

  it('counts each routine record written at a sample rate as 1 / rate invocations, and says the counts are estimates', async () => {
    const { lines } = await sampledWorkload()
    expect(lines.map((line) => [line.outcome, line.sampleRate])).toEqual([
      ['success', 0.25],
      ['success', 0.25],
      ['error', 0.25],
    ])
    const result = await report(lines)
    const fn = only(result)
    expect(fn.invocations).toBe(9)
    expect(fn.outcomes).toMatchObject({ success: 8, error: 1 })
    expect(fn.sampling).toEqual({ records: 2, rates: [0.25], invocationsInLogs: 3 })
    expect(fn.duration?.count).toBe(9)
    expect(fn.phases.find((phase) => phase.name === 'handler')?.invocations).toBe(9)
    const recommendation = fn.recommendations.find((r) => r.kind === 'timeout')
    // How sure a recommendation is rests on the records there are, not on the estimate.
    expect(recommendation?.confidence.basis).toBe(3)
    expect(renderText(result)).toContain('sampled: 2 routine timing records at sampleRate 0.25 stand for 1 / rate invocations each')
  })

  it("counts every invocation as it is when Lambda's own lines (never sampled) show each one", async () => {
    const { lines, lambdaLines } = await sampledWorkload()
    const result = await report([...lines, ...lambdaLines])
    const fn = only(result)
    expect(fn.invocations).toBe(9)
    expect(fn.outcomes).toMatchObject({ success: 8, error: 1 })
    expect(fn.sampling).toEqual({ records: 2, rates: [0.25], invocationsInLogs: 9 })
    // The records still stand for the ones sampled out: the phases are those of nine invocations.
    expect(fn.phases.find((phase) => phase.name === 'handler')?.invocations).toBe(9)
    expect(renderText(result)).toContain(
      "invocation counts are Lambda's own (complete); figures from the records (phases, targets) are scaled",
    )
  })
})

describe('records the line bound cut', () => {
  // The bound (64 KiB a line) leaves out the members that do not fit, cuts long strings, and ends
  // the line with "truncated":true; a record also says how many phases, marks or pending calls it
  // left out past its own limits. Shown here on a real record, cut the way the bound cuts it.
  async function realRecord(): Promise<Line> {
    const [line] = await written(() =>
      invokeWithTimeout(
        chain(async () => 'ok'),
        {},
        { ...context, awsRequestId: id(20) },
      ),
    )
    return line as Line
  }

  it('reads a truncated record for what it kept and counts it', async () => {
    const { marks: _left, outbound: _out, ...kept } = await realRecord()
    const result = await report([{ ...kept, droppedPhases: 3, truncated: true }])
    expect(result.input.recognised).toMatchObject({ timingRecords: 1, truncatedRecords: 1, partialRecords: 1 })
    expect(only(result).invocations).toBe(1)
  })

  it('counts a record cut before the fields that say what it is as a truncated record, never as another tool’s', async () => {
    const { timestamp, level, message, requestId } = await realRecord()
    const result = await report([
      { timestamp, level, message, requestId, truncated: true },
      { level: 'ERROR', package: '@middy-deadline/graceful-timeout', truncated: true },
      { level: 'info', msg: 'another tool', truncated: true },
    ])
    expect(result.input.skipped).toMatchObject({ truncatedRecords: 2, foreignJson: 1 })
    expect(result.input.invocations).toBe(0)
    expect(renderText(result)).toContain('2 truncatedRecords')
  })

  it('counts a timeout record that left out pending calls past its limit as partial', async () => {
    const line = {
      timestamp: '2026-12-01T10:00:00.000Z',
      level: 'ERROR',
      message: 'Invocation reached its cutoff',
      package: '@middy-deadline/graceful-timeout',
      source: 'main',
      requestId: id(21),
      budgetMs: 1000,
      reserveMs: 200,
      elapsedMs: 800,
      remainingMs: 200,
      phase: 'handler',
      marks: [],
      pending: [{ kind: 'fetch', url: 'https://api.example.com', durationMs: 700 }],
      droppedPending: 25,
    }
    const result = await report([line])
    expect(result.input.recognised).toMatchObject({ timeoutRecords: 1, partialRecords: 1, truncatedRecords: 0 })
  })
})
