import { setTimeout as delay } from 'node:timers/promises'
import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import middy from '@middy/core'
import { type DeadlineContext, DeadlineOptionError } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { flushPowertools } from '@middy-deadline/graceful-timeout/powertools'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'
import { type Captured, captureStdout } from './capture.js'

let stdout: Captured
beforeEach(() => {
  // Logger buffers per X-Ray trace id, as on Lambda.
  process.env._X_AMZN_TRACE_ID = 'Root=1-6741a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1'
  stdout = captureStdout()
})
afterEach(() => {
  stdout.restore()
  delete process.env._X_AMZN_TRACE_ID
})

describe('flushPowertools', () => {
  it('writes the Logger buffer and the stored Metrics at the cutoff, which Lambda would have dropped', async () => {
    let beforeCutoff: unknown[] | undefined
    const logger = new Logger({ serviceName: 'orders', logLevel: 'DEBUG', logBufferOptions: { enabled: true } })
    const metrics = new Metrics({ namespace: 'shop', serviceName: 'orders' })
    const handler = middy(async (_e: unknown, context: DeadlineContext) => {
      logger.debug('fetched 40 rows')
      metrics.addMetric('rowsFetched', MetricUnit.Count, 40)
      // Logged and measured, still before the cutoff: nothing of it is out.
      beforeCutoff = stdout.lines()
      try {
        await delay(3000, undefined, { signal: context.deadline.signal })
      } finally {
        logger.debug('gave up on the report')
      }
    }).use(gracefulTimeout({ reserveMs: 200, onTimeout: flushPowertools({ logger, metrics }) }))

    await invokeWithTimeout(handler, {}, { timeoutMs: 600 })
    expect(beforeCutoff).toEqual([])
    const lines = stdout.lines()
    const messages = lines.map((line) => line.message)
    expect(messages).toEqual(expect.arrayContaining(['fetched 40 rows', 'gave up on the report']))
    // The record first (at the cutoff), then the buffer: it includes what the handler's finally logged.
    expect(lines[0]?.package).toBe('@middy-deadline/graceful-timeout')
    const emf = lines.find((line) => '_aws' in line)
    expect(emf).toMatchObject({ rowsFetched: 40, service: 'orders' })
    // Every flush worked: the hook says nothing.
    expect(stdout.warnings()).toEqual([])
  })

  it('publishes Metrics even when flushing a Logger fails', async () => {
    const metrics = new Metrics({ namespace: 'shop', serviceName: 'orders' })
    const broken = {
      flushBuffer() {
        throw new Error('stdout closed')
      },
    }
    const handler = middy(async (_e: unknown, context: DeadlineContext) => {
      metrics.addMetric('started', MetricUnit.Count, 1)
      await delay(3000, undefined, { signal: context.deadline.signal })
    }).use(gracefulTimeout({ reserveMs: 200, onTimeout: flushPowertools({ logger: broken, metrics }) }))
    await invokeWithTimeout(handler, {}, { timeoutMs: 600 })
    expect(stdout.lines().find((line) => '_aws' in line)).toMatchObject({ started: 1 })
    expect(stdout.warnings()).toEqual([expect.objectContaining({ hook: 'flushPowertools', error: 'Error: stdout closed' })])
  })

  it('tries every flush when several fail, then warns once, with an AggregateError', async () => {
    const tried: string[] = []
    const failing = (message: string) => ({
      flushBuffer() {
        tried.push(message)
        throw new Error(message)
      },
    })
    const metrics = {
      publishStoredMetrics() {
        tried.push('metrics')
        throw new Error('metrics endpoint gone')
      },
    }
    const handler = middy(async (_e: unknown, context: DeadlineContext) => {
      await delay(3000, undefined, { signal: context.deadline.signal })
    }).use(gracefulTimeout({ reserveMs: 200, onTimeout: flushPowertools({ logger: [failing('first'), failing('second')], metrics }) }))
    await invokeWithTimeout(handler, {}, { timeoutMs: 600 })
    expect(tried).toEqual(['first', 'second', 'metrics'])
    expect(stdout.warnings()).toEqual([
      expect.objectContaining({
        message: 'onTimeout hook failed',
        hook: 'flushPowertools',
        error: 'AggregateError: flushing Powertools failed',
      }),
    ])
  })

  it('writes the timeout record through a Powertools Logger given as `logger`, in its format', async () => {
    // Powertools writes error lines to stderr.
    const stderr = captureStderr()
    const logger = new Logger({ serviceName: 'orders' })
    const handler = middy(async (_e: unknown, context: DeadlineContext) => {
      await delay(3000, undefined, { signal: context.deadline.signal })
    }).use(gracefulTimeout({ reserveMs: 200, logger }))
    await invokeWithTimeout(handler, {}, { timeoutMs: 600, awsRequestId: 'req-pt' })
    const lines = stderr.lines()
    const [line] = lines
    expect(line).toMatchObject({ level: 'ERROR', service: 'orders', requestId: 'req-pt', source: 'main', phase: 'handler' })
    expect(line?.message).toMatch(/^Invocation reached its cutoff after \d+ ms/)
    // One line: Powertools' own timestamp, and no warning about a reserved key it had to drop.
    expect(lines).toHaveLength(1)
  })

  it('checks its options when created', () => {
    expect(() => flushPowertools({})).toThrow(DeadlineOptionError)
    expect(() => flushPowertools({ logger: [], metrics: [] })).toThrow(
      '@middy-deadline/graceful-timeout: option `logger` or `metrics` must be given: there is nothing to flush',
    )
    expect(() => flushPowertools({ logger: console as never })).toThrow('option `logger.flushBuffer` must be a function, got undefined')
    expect(() => flushPowertools({ metrics: [{}] as never })).toThrow(
      'option `metrics[0].publishStoredMetrics` must be a function, got undefined',
    )
  })
})
