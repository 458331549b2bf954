import middy from '@middy/core'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { type OutboundFetchContext, outboundFetchTimeout } from '@middy-deadline/outbound-fetch-timeout'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'
import { beforeAll, describe, expect, it } from 'vitest'
import { timerAtMiddysTimeout } from '../../../test/support/middy-timer.js'
import { memoryLogger, sleep, warmUp } from './helpers.js'

beforeAll(warmUp)

const quiet = { error: () => {}, warn: () => {} }
const forever = () => new Promise(() => {})

describe('timingLogger with the other middlewares of the project', () => {
  it('records a graceful-timeout settle at the cutoff as a timeout, before the hard deadline', async () => {
    const logger = memoryLogger()
    const graceful = gracefulTimeout({ reserveMs: 200, logger: quiet })
    // Cutoff at 400 ms (Middy's timer too, with the plugin), then graceful-timeout's grace (40 ms)
    // from the cutoff: settled well before a timer due 100 ms after Middy's.
    const pastTheGrace = timerAtMiddysTimeout(graceful.plugin, 100)
    const handler = middy(forever, { ...graceful.plugin, timeoutEarlyResponse: pastTheGrace.timeoutEarlyResponse })
      .use(timingLogger({ logger }))
      .use(graceful)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 600 })

    expect(outcome.status).toBe('failed')
    expect(logger.records).toHaveLength(1)
    const [record] = logger.records
    expect(record).toMatchObject({
      level: 'WARN',
      outcome: 'timeout',
      errorName: 'TimeoutError',
      cutoffReached: true,
      timingSource: 'plugin',
    })
    expect(record?.durationMs).toBeGreaterThanOrEqual(390)
    // Settled and recorded at the grace, well before the hard deadline.
    expect(pastTheGrace.fired()).toBe(false)
    expect(record?.remainingMs).toBeGreaterThan(0)
    const phases = (record?.phases ?? []) as { name: string }[]
    expect(phases.map((phase) => phase.name)).toEqual(
      expect.arrayContaining(['gracefulTimeoutBefore', 'handler', 'gracefulTimeoutOnError']),
    )
  })

  it("records the status of graceful-timeout's timeoutResponse", async () => {
    const logger = memoryLogger()
    const graceful = gracefulTimeout({ reserveMs: 200, logger: quiet, timeoutResponse: () => ({ statusCode: 504, body: 'try again' }) })
    const handler = middy(forever, graceful.plugin)
      .use(timingLogger({ logger, serverTiming: true }))
      .use(graceful)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 600 })

    expect(outcome).toMatchObject({
      status: 'succeeded',
      response: { statusCode: 504, headers: { 'Server-Timing': expect.stringMatching(/^total;dur=/) } },
    })
    expect(logger.records).toHaveLength(1)
    expect(logger.records[0]).toMatchObject({ outcome: 'timeout', statusCode: 504 })
  })

  it.each([
    ['by origin, by default', undefined, 'https://api.example.com'],
    [
      'with the path, when describeTarget asks for it',
      (url: URL) => `${url.origin}${url.pathname}?${url.search}`,
      'https://api.example.com/orders',
    ],
  ])('summarises the calls made through outbound-fetch-timeout %s, never with a query string', async (_how, describeTarget, target) => {
    const logger = memoryLogger()
    const slowApi = async () => {
      await sleep(30)
      return new Response('ok')
    }
    const handler = middy(async (_event: unknown, context: OutboundFetchContext) => {
      await (await context.fetch('https://api.example.com/orders?token=secret')).text()
      return 'done'
    })
      .use(timingLogger({ logger }))
      .use(outboundFetchTimeout({ fetch: slowApi, describeTarget }))
    await invokeWithTimeout(handler, {})

    const outbound = logger.records[0]?.outbound as { started: number; ok: number; slowest: { target: string; durationMs: number }[] }
    expect(outbound).toMatchObject({ started: 1, ok: 1, pending: 0 })
    expect(outbound.slowest[0]?.target).toBe(target)
    expect(outbound.slowest[0]?.durationMs).toBeGreaterThanOrEqual(28)
    expect(JSON.stringify(logger.records[0])).not.toContain('secret')
  })
})
