import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { captureConsole, captureStderr } from '../../../test/support/output.js'
import { chain, invoke, invokeOnTheFakeClock, sleep, stdoutLines, warmUp } from './helpers.js'

beforeAll(warmUp)
afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('timingLogger with the Powertools Logger', () => {
  it('writes the record through the logger: its level, timestamp and service, our message and fields', async () => {
    // In dev mode Powertools prints through the global console, where a test can read it (its own
    // Console instance writes to stdout through a handle a spy cannot reach).
    vi.stubEnv('POWERTOOLS_DEV', 'true')
    const printed = captureConsole(['info', 'warn']).chunks
    const logger = new Logger({ serviceName: 'orders' })
    // 255 of 300 ms, on the fake clock: a near-miss.
    await invokeOnTheFakeClock(
      chain(() => sleep(255), { logger }),
      255,
      { timeoutMs: 300 },
    )

    expect(printed).toHaveLength(1)
    const line = JSON.parse(printed[0] as string)
    expect(line).toMatchObject({ level: 'WARN', service: 'orders', outcome: 'success', nearMiss: true })
    expect(line.message).toMatch(/^near miss: /)
    expect(typeof line.timestamp).toBe('string')
    expect(line.phases).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'handler' })]))
  })

  // What Powertools Logger 2.x writes on every line from the Lambda context, and the record's names for it.
  const SAME_FACTS = [
    ['function_request_id', 'requestId'],
    ['cold_start', 'coldStart'],
    ['function_name', 'functionName'],
    ['function_memory_size', 'memoryLimitMB'],
  ] as const

  const printedLines = (injected: boolean) => {
    vi.stubEnv('POWERTOOLS_DEV', 'true')
    const logger = new Logger({ serviceName: 'orders' })
    const printed = captureConsole(['info', 'warn']).chunks
    const handler = chain(async () => 'ok', { logger }, { middlewares: injected ? [injectLambdaContext(logger)] : [] })
    return invoke(handler, {}, { awsRequestId: 'req-pt', functionName: 'orders', memoryLimitInMB: 512 }).then(() => printed)
  }

  it.each([
    ['with injectLambdaContext', true],
    ['without it', false],
  ])("does not repeat Powertools' own keys under its own names (%s): each Lambda fact is in the line once", async (_label, injected) => {
    const printed = await printedLines(injected)
    expect(printed).toHaveLength(1)
    const raw = printed[0] as string
    const line = JSON.parse(raw) as Record<string, unknown>
    expect(line).toMatchObject({
      function_request_id: 'req-pt',
      cold_start: expect.any(Boolean),
      function_name: 'orders',
      function_memory_size: '512',
    })
    for (const [theirs, ours] of SAME_FACTS) {
      expect(raw.split(`"${theirs}"`)).toHaveLength(2)
      expect(line).not.toHaveProperty(ours)
    }
    // Ours, which Powertools does not write, keep their names.
    expect(line).toMatchObject({ functionVersion: '$LATEST', memoryUsedShare: expect.any(Number) })
  })

  it('keeps its own names on stdout when the Powertools Logger throws', async () => {
    const logger = new Logger({ serviceName: 'orders' })
    vi.spyOn(logger, 'info').mockImplementation(() => {
      throw new Error('closed')
    })
    captureStderr()
    const { lines } = await stdoutLines(() =>
      invoke(
        chain(async () => 'ok', { logger }),
        {},
        { awsRequestId: 'req-fallback' },
      ),
    )
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 'INFO', requestId: 'req-fallback', coldStart: expect.any(Boolean) })
    expect(lines[0]).not.toHaveProperty('function_request_id')
  })
})
