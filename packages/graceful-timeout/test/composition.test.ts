import { setTimeout as delay } from 'node:timers/promises'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import { type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { GracefulTimeoutError, gracefulTimeout, type TimeoutRecord } from '@middy-deadline/graceful-timeout'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import { describe, expect, it, vi } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'
import { watchTimers } from '../../../test/support/timers.js'
import { answersOnceHookRan, captureStdoutInEachTest, overrunsHonouringSignal } from './capture.js'

const stdout = captureStdoutInEachTest()

describe('gracefulTimeout in a chain', () => {
  it('gives @middy/http-error-handler a 504 to answer with', async () => {
    const handler = middy(overrunsHonouringSignal)
      .use(httpErrorHandler({ logger: false }))
      .use(gracefulTimeout({ reserveMs: 200 }))
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 400 })
    expect(outcome.status).toBe('succeeded')
    expect(outcome.status === 'succeeded' && outcome.response).toMatchObject({ statusCode: 504 })
  })

  it('lets http-error-handler pass a timeoutResponse through untouched', async () => {
    const handler = middy(overrunsHonouringSignal)
      .use(httpErrorHandler({ logger: false }))
      .use(gracefulTimeout({ reserveMs: 200, timeoutResponse: () => ({ statusCode: 503, body: 'try again', headers: {} }) }))
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 400 })
    expect(outcome.status === 'succeeded' && outcome.response).toEqual({ statusCode: 503, body: 'try again', headers: {} })
  })

  it('stays quiet when another middleware answers early, with or without the plugin', async () => {
    const steps: string[] = []
    const cached = { before: () => ({ statusCode: 200, body: 'from cache' }) }
    for (const plugin of [undefined, deadlinePlugin()]) {
      const handler = middy(overrunsHonouringSignal, plugin)
        .use(gracefulTimeout({ reserveMs: 200, onTimeout: () => steps.push('hook') }))
        .use(cached)
      const context = createLambdaContext<DeadlineContext>({ timeoutMs: 400 })
      expect(await invokeWithTimeout(handler, {}, { context })).toMatchObject({ status: 'succeeded' })
      // Without the plugin nothing tells the deadline the invocation is over: its timer ends it at
      // the cutoff. Wait for that end (at once with the plugin), then look.
      await new Promise((resolve) => context.deadline.onEnd(resolve))
    }
    expect(steps).toEqual([])
    expect(stdout.lines()).toEqual([])
  })

  it('passes on errors thrown by other middlewares, before and after, and releases the deadline', async () => {
    const timers = watchTimers()
    const failing = (phase: 'before' | 'after', message: string) => ({
      [phase]: () => {
        throw new Error(message)
      },
    })
    for (const [phase, message] of [
      ['before', 'bad config'],
      ['after', 'bad serializer'],
    ] as const) {
      const context = createLambdaContext<DeadlineContext>({ timeoutMs: 400 })
      const handler = middy(async () => 'x')
        .use(gracefulTimeout({ reserveMs: 200 }))
        .use(failing(phase, message))
      await expect(handler({}, context)).rejects.toThrow(message)
      expect(context.deadline.ended).toBe(true)
    }

    // An earlier middleware fails before ours ever ran: nothing to settle, the error stands.
    const first = middy(async () => 'x')
      .use({
        before: () => {
          throw new Error('auth down')
        },
      })
      .use(gracefulTimeout({ reserveMs: 200 }))
    await expect(first({}, createLambdaContext({ timeoutMs: 400 }))).rejects.toThrow('auth down')
    // No timer left that could write later.
    expect(await timers.left()).toBe(0)
    expect(stdout.lines()).toEqual([])
  })

  it('releases everything when an onError outside ours throws', async () => {
    // Middy stops the onError chain at the first one that throws; ours runs before any outer one.
    const timers = watchTimers()
    const context = createLambdaContext<DeadlineContext>({ timeoutMs: 400 })
    const handler = middy(async () => {
      throw new Error('handler failed')
    })
      .use({
        onError: () => {
          throw new Error('reporter failed')
        },
      })
      .use(gracefulTimeout({ reserveMs: 200 }))
    await expect(handler({}, context)).rejects.toThrow('reporter failed')
    expect(context.deadline.ended).toBe(true)
    // No timer left that could write later.
    expect(await timers.left()).toBe(0)
    expect(stdout.lines()).toEqual([])
  })

  it('keeps concurrent invocations apart: each timed-out one gets its own record, the others none', async () => {
    const handler = middy(async (event: { slow: boolean }, context: DeadlineContext) => {
      if (event.slow) await delay(3000, undefined, { signal: context.deadline.signal })
      else await delay(50)
      return 'ok'
    }).use(gracefulTimeout({ reserveMs: 200 }))
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => invokeWithTimeout(handler, { slow: i % 2 === 0 }, { timeoutMs: 400, awsRequestId: `req-${i}` })),
    )
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'failed' : 'succeeded')))
    const ids = stdout
      .records()
      .map((r) => r.requestId)
      .sort()
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `req-${i * 2}`).sort())
  })

  it('used twice in one chain, handles the cutoff once, with the larger reserve, and runs the hooks of both', async () => {
    const steps: string[] = []
    const handler = middy(overrunsHonouringSignal)
      .use(gracefulTimeout({ reserveMs: 100, onTimeout: () => steps.push('outer hook') }))
      .use(gracefulTimeout({ reserveMs: 200, onTimeout: () => steps.push('inner hook') }))
    // 500 ms, not 400: the deadline caps the reserve at half the starting budget, and a budget read
    // a millisecond late (399 ms) would cap 200 to 199.
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 500 })
    expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(GracefulTimeoutError)
    expect(outcome.status === 'failed' && (outcome.error as Error).cause).not.toBeInstanceOf(GracefulTimeoutError)
    expect(steps).toEqual(['outer hook', 'inner hook'])
    expect(stdout.records()).toEqual([expect.objectContaining({ reserveMs: 200 })])
    expect(stdout.warnings()).toEqual([])
  })

  it('used twice in one chain, starts the hooks when the chain reaches the outer one’s after: what the middlewares between the two do in theirs comes first', async () => {
    const steps: string[] = []
    const handler = middy(async (_e: unknown, context: DeadlineContext) => {
      // Honours the signal, then answers with what it has: the chain goes on through the `after`s.
      await delay(3000, undefined, { signal: context.deadline.signal }).catch(() => {})
      return 'partial'
    })
      .use(gracefulTimeout({ reserveMs: 300, onTimeout: () => steps.push('hook') }))
      .use({
        after: () => {
          steps.push('between after')
        },
      })
      .use(gracefulTimeout({ reserveMs: 300 }))
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1000 })
    expect(outcome).toMatchObject({ status: 'succeeded', response: 'partial' })
    // A log line written between them is among what a flush hook flushes.
    expect(steps).toEqual(['between after', 'hook'])
  })

  it('used twice in one chain with hooks only in the inner one, starts them after the grace when the handler ignores the signal', async () => {
    const steps: string[] = []
    const { handler: answersLate, hook } = answersOnceHookRan(steps, 'inner hook')
    const handler = middy(answersLate, { timeoutEarlyInMillis: 0 })
      .use(gracefulTimeout({ reserveMs: 300 }))
      .use(gracefulTimeout({ reserveMs: 300, onTimeout: hook }))
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 1000 })
    expect(outcome).toMatchObject({ status: 'succeeded', response: 'late' })
    expect(steps).toEqual(['inner hook', 'handler done'])
  })

  it('used twice in one chain, says once that what only the outer one can use is not used in the inner one', async () => {
    const watchdog = { watch: () => undefined }
    for (const inner of [{ onTimeout: () => {} }, { timeoutResponse: () => 'late' }, { logger: console }, { watchdog }]) {
      // A fresh copy of the packages for each case: the warning is said once per process.
      vi.resetModules()
      const fresh = await import('@middy-deadline/graceful-timeout')
      const stderr = captureStderr()
      const handler = middy(async () => 'ok')
        .use(fresh.gracefulTimeout({ reserveMs: 100 }))
        .use(fresh.gracefulTimeout({ reserveMs: 100, ...inner }))
      expect(await invokeWithTimeout(handler, {}, { timeoutMs: 1000 })).toMatchObject({ status: 'succeeded', response: 'ok' })
      await invokeWithTimeout(handler, {}, { timeoutMs: 1000 })
      stderr.restore()
      const said = stderr.lines().filter((line) => String(line.message).startsWith('gracefulTimeout used twice in one chain'))
      const expected =
        'onTimeout' in inner
          ? []
          : [
              expect.objectContaining({
                message: expect.stringContaining('the timeoutResponse, logger and watchdog of the inner one are not used'),
              }),
            ]
      expect(said, Object.keys(inner)[0]).toEqual(expected)
    }
  })

  it('sends the record and warnings to a logger of yours', async () => {
    const errors: Omit<TimeoutRecord, 'level'>[] = []
    const warnings: unknown[] = []
    const logger = { error: (record: Omit<TimeoutRecord, 'level'>) => errors.push(record), warn: (entry: unknown) => warnings.push(entry) }
    const handler = middy(overrunsHonouringSignal).use(
      gracefulTimeout({
        reserveMs: 200,
        logger,
        onTimeout: function failingFlush() {
          throw new Error('flush failed')
        },
      }),
    )
    await invokeWithTimeout(handler, {}, { timeoutMs: 400, awsRequestId: 'req-log' })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ requestId: 'req-log', source: 'main' })
    // The logger adds its own level and time.
    expect(errors[0]).not.toHaveProperty('level')
    expect(errors[0]).not.toHaveProperty('timestamp')
    expect(warnings).toEqual([
      expect.objectContaining({ message: 'onTimeout hook failed', hook: 'failingFlush', error: 'Error: flush failed' }),
    ])
    expect(stdout.lines()).toEqual([])
  })

  it('writes the record to stdout, with a warning, when the logger of yours fails', async () => {
    const logger = {
      error: () => {
        throw new Error('log shipper down')
      },
      warn: () => {},
    }
    const handler = middy(overrunsHonouringSignal).use(gracefulTimeout({ reserveMs: 200, logger }))
    await invokeWithTimeout(handler, {}, { timeoutMs: 400, awsRequestId: 'req-log-down' })
    expect(stdout.records()).toEqual([expect.objectContaining({ requestId: 'req-log-down', level: 'ERROR' })])
    expect(stdout.warnings()).toEqual([
      {
        level: 'WARN',
        message: 'the logger failed; the timeout record went to stdout',
        package: '@middy-deadline/graceful-timeout',
        error: 'Error: log shipper down',
      },
    ])
  })

  it('without the plugin, says the invocation was in `after` or `onError` when the cutoff came in a middleware between ours and the one that made the deadline', async () => {
    const untilCutoff = async (request: { context: DeadlineContext }) => {
      await new Promise((resolve) => request.context.deadline.signal.addEventListener('abort', resolve))
    }
    // The deadline's own middleware outermost makes the deadline, so it lasts past our after/onError.
    const answers = middy(async () => 'ok')
      .use(deadline())
      .use({ after: untilCutoff })
      .use(gracefulTimeout({ reserveMs: 200 }))
    const fails = middy(async () => {
      throw new Error('bad input')
    })
      .use(deadline())
      .use({ onError: untilCutoff })
      .use(gracefulTimeout({ reserveMs: 200 }))
    await invokeWithTimeout(answers, {}, { timeoutMs: 400, awsRequestId: 'req-after' })
    await invokeWithTimeout(fails, {}, { timeoutMs: 400, awsRequestId: 'req-onerror' })
    expect(stdout.records().map((record) => [record.requestId, record.phase])).toEqual([
      ['req-after', 'after'],
      ['req-onerror', 'onError'],
    ])
  })

  it('lists the marks and the outbound calls still pending', async () => {
    const handler = middy(async (_e: unknown, context: DeadlineContext) => {
      context.deadline.mark('loaded order')
      // What @middy-deadline/outbound-fetch-timeout keeps on the deadline, read without importing it.
      Object.defineProperty(context.deadline, Symbol.for('@middy-deadline/outbound.calls'), {
        value: {
          snapshot: () => ({
            pending: [{ kind: 'fetch', label: 'payments', method: 'POST', url: 'https://pay.example/x', durationMs: 312.4 }],
          }),
        },
      })
      await delay(3000, undefined, { signal: context.deadline.signal })
    }).use(gracefulTimeout({ reserveMs: 200 }))
    await invokeWithTimeout(handler, {}, { timeoutMs: 400 })
    const [record] = stdout.records()
    expect(record?.marks).toEqual([{ name: 'loaded order', atMs: expect.any(Number) }])
    expect(record?.pending).toEqual([{ kind: 'fetch', label: 'payments', method: 'POST', url: 'https://pay.example/x', durationMs: 312 }])
  })

  it('keeps the last 100 marks and the oldest 20 pending calls, and counts the others; at the limits nothing is dropped, and no call pending is no list', async () => {
    const handlerWith = (marks: number, calls: number) =>
      middy(async (_e: unknown, context: DeadlineContext) => {
        for (let i = 0; i < marks; i++) context.deadline.mark(`step ${i}`)
        const pending = Array.from({ length: calls }, (_, i) => ({ kind: 'fetch', label: `call ${i}` }))
        Object.defineProperty(context.deadline, Symbol.for('@middy-deadline/outbound.calls'), { value: { snapshot: () => ({ pending }) } })
        await delay(3000, undefined, { signal: context.deadline.signal })
      }).use(gracefulTimeout({ reserveMs: 200 }))
    await invokeWithTimeout(handlerWith(105, 23), {}, { timeoutMs: 400, awsRequestId: 'req-over' })
    await invokeWithTimeout(handlerWith(100, 20), {}, { timeoutMs: 400, awsRequestId: 'req-at' })
    await invokeWithTimeout(handlerWith(0, 0), {}, { timeoutMs: 400, awsRequestId: 'req-none' })
    const [over, at, none] = stdout.records() as unknown as TimeoutRecord[]
    expect(over?.requestId).toBe('req-over')
    expect(over?.marks.map((mark) => mark.name)).toEqual(Array.from({ length: 100 }, (_, i) => `step ${i + 5}`))
    expect(over?.droppedMarks).toBe(5)
    expect(over?.pending?.map((call) => call.label)).toEqual(Array.from({ length: 20 }, (_, i) => `call ${i}`))
    expect(over?.droppedPending).toBe(3)
    expect(at?.requestId).toBe('req-at')
    expect(at?.marks).toHaveLength(100)
    expect(at?.pending).toHaveLength(20)
    expect(at).not.toHaveProperty('droppedMarks')
    expect(at).not.toHaveProperty('droppedPending')
    expect(none).toMatchObject({ requestId: 'req-none', marks: [] })
    expect(none).not.toHaveProperty('pending')
  })

  it('takes the pending calls of another version of the outbound package as far as it can read them, and writes the record anyway when it cannot', async () => {
    const withCallLog = (snapshot: () => unknown) =>
      middy(async (_e: unknown, context: DeadlineContext) => {
        Object.defineProperty(context.deadline, Symbol.for('@middy-deadline/outbound.calls'), { value: { snapshot } })
        await delay(3000, undefined, { signal: context.deadline.signal })
      }).use(gracefulTimeout({ reserveMs: 200 }))
    // A version that keeps no duration, and one whose log fails when read.
    await invokeWithTimeout(
      withCallLog(() => ({ pending: [{ kind: 'sdk', label: 'DynamoDB.Query', durationMs: '40 ms' }] })),
      {},
      { timeoutMs: 400, awsRequestId: 'req-other-version' },
    )
    await invokeWithTimeout(
      withCallLog(() => {
        throw new TypeError('not a call log')
      }),
      {},
      { timeoutMs: 400, awsRequestId: 'req-broken-log' },
    )
    const [other, broken] = stdout.records()
    expect(other?.requestId).toBe('req-other-version')
    expect(other?.pending).toEqual([{ kind: 'sdk', label: 'DynamoDB.Query' }])
    expect(broken).toMatchObject({ requestId: 'req-broken-log', trigger: 'cutoff' })
    expect(broken).not.toHaveProperty('pending')
  })
})
