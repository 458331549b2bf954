import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { type DeadlineContext, deadlinePlugin } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { type OutboundFetchContext, OutboundTimeoutError, outboundFetchTimeout, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { remainingTimeBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { timerAtMiddysTimeout } from '../support/middy-timer.js'
import { captureStderr } from '../support/output.js'

// The four decisions of docs/composition.md ("Decisions"), one describe each. Each test failed
// before its decision was implemented.

const quiet = { error: () => {}, warn: () => {} }

function memoryLogger() {
  const records: Record<string, unknown>[] = []
  return { records, info: (r: Record<string, unknown>) => records.push(r), warn: (r: Record<string, unknown>) => records.push(r) }
}

function sqsEvent(count: number): SQSEvent {
  const Records = Array.from(
    { length: count },
    (_, i) => ({ messageId: `m${i}`, body: String(i), eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs' }) as SQSRecord,
  )
  return { Records }
}

/** Every WARN line our packages write to stderr while `run` runs. */
async function warningsDuring<T>(run: () => Promise<T>): Promise<{ result: T; warnings: Record<string, unknown>[] }> {
  const stderr = captureStderr()
  try {
    return { result: await run(), warnings: stderr.lines() }
  } finally {
    stderr.restore()
  }
}

describe('a partial batch answer wins over the timeout whenever it can still be delivered', () => {
  // A stuck record ignores its signal; the others honour it. The batch answers `abandonAfterMs`
  // after the cutoff, which is longer than graceful-timeout's grace (20 % of the reserve).
  for (const [reserveMs, abandonAfterMs] of [
    [100, 50],
    [200, 50],
    [500, 150],
  ] as const) {
    it(`answers batchItemFailures with graceful.plugin, reserve ${reserveMs} ms, abandonAfterMs ${abandonAfterMs}`, async () => {
      const graceful = gracefulTimeout({ reserveMs, logger: quiet })
      const batch = sqsBatch(
        async (record, { signal }) => {
          if (record.messageId === 'm1')
            await delay(10_000) // ignores its signal
          else if (record.messageId === 'm3')
            await delay(10_000, undefined, { signal }) // stops at the cutoff
          else await delay(5)
        },
        { concurrency: 2, abandonAfterMs },
      )
      // How long before the hard deadline the batch's answer was ready.
      let answerLeftMs = Number.NaN
      let answered: Promise<unknown> = Promise.resolve()
      const handler = middy((event: SQSEvent, context: DeadlineContext) => {
        answered = batch(event, context).finally(() => {
          answerLeftMs = context.getRemainingTimeInMillis()
        })
        return answered
      }, graceful.plugin)
        .use(graceful)
        .use(remainingTimeBudget({ reserveMs }))
      const outcome = await invokeWithTimeout(handler, sqsEvent(4), { timeoutMs: 3 * reserveMs })
      await answered

      // The answer can be delivered until the margin (a tenth of the reserve before the hard deadline).
      if (answerLeftMs > reserveMs / 10 + 1) {
        // m0 and m2 were done, m1 was stuck, m3 stopped at the cutoff: only m1 and m3 go back to the queue.
        expect(outcome).toMatchObject({
          status: 'succeeded',
          response: { batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm3' }] },
        })
      } else {
        // The batch answers abandonAfterMs after the cutoff: a loaded machine that runs that timer
        // more than 40 ms late (with a 100 ms reserve) has it ready only past the margin. Then the
        // timeout goes instead, at the margin (or Lambda's kill, when even that timer comes after
        // the hard deadline) — unless graceful-timeout's own margin timer is later still, and the
        // answer, ready before the hard deadline, is delivered whole.
        if (outcome.status === 'succeeded')
          expect(outcome.response).toEqual({
            batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm3' }],
          })
        if (outcome.status === 'failed') expect(outcome.error).toMatchObject({ name: 'TimeoutError' })
      }
    })
  }

  it('answers batchItemFailures with graceful.plugin when the event loop was blocked past the cutoff', async () => {
    const reserveMs = 1000
    const graceful = gracefulTimeout({ reserveMs, logger: quiet })
    const context = createLambdaContext({ timeoutMs: 2500 })
    let freedLeftMs = Number.NaN
    // Cutoff at 1500 ms; `blocks` holds the event loop from just before it until 200 ms before the
    // hard deadline, past abandonAfterMs: counted from that late timer, the batch's wait would end
    // at the margin, where graceful.plugin settles the race with a TimeoutError.
    const batch = sqsBatch(
      async (record, { deadline }) => {
        if (record.messageId === 'm1') return delay(10_000) // ignores its signal
        await delay((deadline?.remaining() ?? 0) - 50)
        while (context.getRemainingTimeInMillis() > 200) {}
        freedLeftMs = context.getRemainingTimeInMillis()
      },
      { concurrency: 2, abandonAfterMs: 300 },
    )
    const handler = middy(batch, graceful.plugin).use(graceful).use(remainingTimeBudget({ reserveMs }))
    const outcome = await invokeWithTimeout(handler, sqsEvent(2), { context })
    expect(outcome).toMatchObject({ status: 'succeeded', response: { batchItemFailures: [{ itemIdentifier: 'm1' }] } })
    // Out as soon as the loop was free, not at the margin (100 ms before the hard deadline).
    expect(freedLeftMs - (outcome.status === 'succeeded' ? outcome.settledBeforeHardDeadlineMs : Number.NaN)).toBeLessThan(100)
  })

  it('still settles a handler that said nothing, after the grace', async () => {
    const graceful = gracefulTimeout({ reserveMs: 200, logger: quiet })
    // Cutoff at 400 ms (Middy's timer too, with the plugin), grace 40 ms from the cutoff, margin 20 ms
    // before the hard deadline (600 ms). Settled at the grace, not kept to the margin: before a
    // timer due 100 ms after Middy's.
    const pastTheGrace = timerAtMiddysTimeout(graceful.plugin, 100)
    const handler = middy(() => delay(10_000), { ...graceful.plugin, timeoutEarlyResponse: pastTheGrace.timeoutEarlyResponse }).use(
      graceful,
    )
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 600 })
    expect(outcome.status === 'failed' && (outcome.error as Error).name).toBe('TimeoutError')
    expect(pastTheGrace.fired()).toBe(false)
  })
})

describe('the timing record names the error the handler threw, whatever an error handler made of it', () => {
  class DbError extends Error {
    override name = 'DbError'
  }

  for (const plugin of [true, false]) {
    it(`records DbError behind @middy/http-error-handler ${plugin ? 'with' : 'without'} the plugin`, async () => {
      const logger = memoryLogger()
      const handler = middy(
        async () => {
          throw new DbError('connection reset')
        },
        plugin ? deadlinePlugin() : undefined,
      )
        .use(timingLogger({ logger }))
        .use(httpErrorHandler({ logger: false }))
      const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1000 })

      expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 500 } })
      expect(logger.records).toEqual([expect.objectContaining({ outcome: 'error', errorName: 'DbError', statusCode: 500 })])
    })
  }

  it("records Middy's own early timeout as a timeout, though the error handler turned it into a 500", async () => {
    const logger = memoryLogger()
    const handler = middy(() => delay(1000), { ...deadlinePlugin(), timeoutEarlyInMillis: 100 })
      .use(timingLogger({ logger }))
      .use(httpErrorHandler({ logger: false }))
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 300 })

    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 500 } })
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'timeout', errorName: 'TimeoutError', statusCode: 500 })])
  })
})

describe('a downstream timeout answers like the invocation timeout: 504, a safe body, outcome timeout', () => {
  let server: Server
  let base: string
  beforeAll(async () => {
    server = createServer((request) => request.resume()) // accepts, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const chainAround = (
    app: (event: unknown, context: OutboundFetchContext) => Promise<unknown>,
    logger: ReturnType<typeof memoryLogger>,
  ) => {
    const graceful = gracefulTimeout({ reserveMs: 200, logger: quiet })
    return middy(app, graceful.plugin)
      .use(timingLogger({ logger }))
      .use(httpErrorHandler({ logger: false }))
      .use(graceful)
      .use(outboundFetchTimeout({ perRequestMs: 100 }))
  }

  it('a fetch cut at its per-request limit: 504, a body that names no host or path, a timeout record', async () => {
    const logger = memoryLogger()
    const handler = chainAround(async (_event, context) => {
      await context.fetch(`${base}/internal/orders/42?token=secret`)
      return { statusCode: 200, body: 'never' }
    }, logger)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 2000 })

    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 504 } })
    const body = outcome.status === 'succeeded' ? String((outcome.response as { body?: unknown }).body) : ''
    expect(body).toMatch(/^Timed out/)
    expect(body).not.toMatch(/127\.0\.0\.1|internal|orders|secret/)
    expect(logger.records).toEqual([
      expect.objectContaining({ outcome: 'timeout', errorName: 'TimeoutError', statusCode: 504, cutoffReached: false }),
    ])
  })

  it('withDeadline around a client that never answers: the same', async () => {
    const logger = memoryLogger()
    const handler = chainAround(async () => {
      await withDeadline(() => new Promise(() => {}), { label: 'postgres', timeoutMs: 50 })
      return { statusCode: 200 }
    }, logger)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 2000 })

    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 504 } })
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'timeout', errorName: 'TimeoutError', statusCode: 504 })])
  })

  it('the invocation timeout, for comparison: 504 and a timeout record', async () => {
    const logger = memoryLogger()
    const handler = chainAround((_event, context) => delay(5000, undefined, { signal: context.deadline.signal }), logger)
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 600 })

    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 504 } })
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'timeout', statusCode: 504, cutoffReached: true })])
  })

  it('the error still names the call for code that catches it', async () => {
    const handler = middy(async (_event: unknown, context: OutboundFetchContext) => {
      try {
        await context.fetch(`${base}/internal/orders/42?token=secret`)
      } catch (error) {
        return error
      }
    }).use(outboundFetchTimeout({ perRequestMs: 50, minimumMs: 10 }))
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 2000 })
    const error = outcome.status === 'succeeded' ? (outcome.response as OutboundTimeoutError) : undefined
    expect(error).toBeInstanceOf(OutboundTimeoutError)
    expect(error).toMatchObject({ limit: 'operation', method: 'GET', url: base, statusCode: 504, expose: true })
  })
})

describe('a middleware used twice in one chain', () => {
  it('gracefulTimeout: the hooks of both run, outer first, with one record and one settle', async () => {
    const steps: string[] = []
    const records: unknown[] = []
    const logger = { error: (record: unknown) => records.push(record), warn: () => {} }
    const outer = gracefulTimeout({ reserveMs: 100, logger, onTimeout: () => steps.push('outer hook') })
    const inner = gracefulTimeout({ reserveMs: 200, onTimeout: () => steps.push('inner hook') })
    const handler = middy<unknown, unknown, Error, DeadlineContext>((_e: unknown, context: DeadlineContext) =>
      delay(5000, undefined, { signal: context.deadline.signal }),
    )
      .use(outer)
      .use(inner)
    const { result: outcome } = await warningsDuring(() => invokeWithTimeout(handler, {}, { timeoutMs: 500 }))

    expect(outcome.status === 'failed' && (outcome.error as Error).name).toBe('TimeoutError')
    expect(steps).toEqual(['outer hook', 'inner hook'])
    expect(records).toEqual([expect.objectContaining({ reserveMs: 200 })])
  })

  it('gracefulTimeout: says once that the inner one brings a timeoutResponse that is not used', async () => {
    const outer = gracefulTimeout({ reserveMs: 100, logger: quiet })
    const inner = gracefulTimeout({ reserveMs: 100, logger: quiet, timeoutResponse: () => 'inner answer' })
    const handler = middy(async () => 'ok')
      .use(outer)
      .use(inner)
    const { warnings } = await warningsDuring(async () => {
      await invokeWithTimeout(handler, {}, { timeoutMs: 500 })
      await invokeWithTimeout(handler, {}, { timeoutMs: 500 })
    })
    expect(warnings).toEqual([
      expect.objectContaining({ package: '@middy-deadline/graceful-timeout', message: expect.stringMatching(/used twice in one chain/) }),
    ])
  })

  it('timingLogger: one record per invocation, by the outer one, and one warning', async () => {
    const outerLogger = memoryLogger()
    const innerLogger = memoryLogger()
    const handler = middy(async () => 'ok', deadlinePlugin())
      .use(timingLogger({ logger: outerLogger }))
      .use(timingLogger({ logger: innerLogger }))
    const { warnings } = await warningsDuring(async () => {
      await invokeWithTimeout(handler, {}, { timeoutMs: 500 })
      await invokeWithTimeout(handler, {}, { timeoutMs: 500 })
    })
    expect(outerLogger.records).toHaveLength(2)
    expect(innerLogger.records).toEqual([])
    expect(warnings).toEqual([
      expect.objectContaining({ package: '@middy-deadline/timing-logger', message: expect.stringMatching(/used twice in one chain/) }),
    ])
  })

  it("outboundFetchTimeout: the outer one's limits apply, and one warning says the inner one's differ", async () => {
    const handler = middy(async () => {
      const startedAt = performance.now()
      await withDeadline(() => new Promise(() => {}), { label: 'never' }).catch(() => {})
      return performance.now() - startedAt
    })
      .use(outboundFetchTimeout({ perRequestMs: 5000, minimumMs: 400 }))
      .use(outboundFetchTimeout({ perRequestMs: 5000, minimumMs: 10 }))
    const { result: outcome, warnings } = await warningsDuring(() => invokeWithTimeout(handler, {}, { timeoutMs: 300 }))
    // The outer minimumMs (400 ms) refuses the call at once with 300 ms left; the inner one (10 ms) would have sent it.
    expect(outcome.status === 'succeeded' && outcome.response).toBeLessThan(50)
    expect(warnings).toEqual([
      expect.objectContaining({
        package: '@middy-deadline/outbound-fetch-timeout',
        message: expect.stringMatching(/used twice in one chain/),
      }),
    ])
  })
})
