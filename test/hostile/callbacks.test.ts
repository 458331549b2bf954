import middy from '@middy/core'
import { Deadline, type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { reachCutoff, timelineOf } from '@middy-deadline/deadline/internal'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { type OutboundFetchContext, outboundFetchTimeout, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { ContinuationError, runWithinBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { stepWithinBudget } from '@middy-deadline/remaining-time-budget/durable'
import { createLambdaContext } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'
import { describe, expect } from 'vitest'
import { failing, property, settled, survive } from './harness.js'

const aborted = (signal: AbortSignal) => new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
const GRACEFUL = '@middy-deadline/graceful-timeout'
const isTimeoutRecord = (line: Record<string, unknown>) => line.package === GRACEFUL && line.level === 'ERROR'

/** A handler that honours the deadline's signal: at the cutoff it fails with the signal's reason. */
async function stopsAtCutoff(_event: unknown, context: DeadlineContext): Promise<string> {
  await aborted(context.deadline.signal)
  throw context.deadline.signal.reason
}

describe('a callback of the user fails with any value: the process survives and the outcome is the documented one', () => {
  property(
    'graceful-timeout onTimeout hook: the invocation still ends with the 504 TimeoutError, the record written once',
    async (value, how) => {
      const handler = middy(stopsAtCutoff).use(gracefulTimeout({ reserveMs: 40, onTimeout: failing(value, how) }))
      const { result, lines } = await survive(() => settled(handler({}, createLambdaContext({ timeoutMs: 90 }))))
      expect(result).toMatchObject({ ok: false, error: { name: 'TimeoutError', statusCode: 504 } })
      expect(lines.filter(isTimeoutRecord)).toHaveLength(1)
    },
  )

  property('graceful-timeout timeoutResponse: the invocation ends with its error, the very value', async (value, how) => {
    const handler = middy(stopsAtCutoff).use(gracefulTimeout({ reserveMs: 40, timeoutResponse: failing(value, how) }))
    const { result } = await survive(() => settled(handler({}, createLambdaContext({ timeoutMs: 90 }))))
    expect(result.ok).toBe(false)
    expect(result.ok === false && result.error).toBe(value)
  })

  property('graceful-timeout logger: the record and the warnings go to stdout instead', async (value, how) => {
    const logger = { error: failing(value, how), warn: failing(value, how) }
    const handler = middy(stopsAtCutoff).use(gracefulTimeout({ reserveMs: 40, logger, onTimeout: failing(value, how) }))
    const { result, lines } = await survive(() => settled(handler({}, createLambdaContext({ timeoutMs: 90 }))))
    expect(result).toMatchObject({ ok: false, error: { name: 'TimeoutError', statusCode: 504 } })
    expect(lines.filter(isTimeoutRecord)).toHaveLength(1)
  })

  property('graceful-timeout watchdog: an invocation it cannot watch is still recorded by the main thread', async (value, how) => {
    const watchdog = { watch: failing(value, how), prepare: failing(value, how) }
    const handler = middy(stopsAtCutoff).use(gracefulTimeout({ reserveMs: 40, watchdog: watchdog as never }))
    const { result, lines } = await survive(() => settled(handler({}, createLambdaContext({ timeoutMs: 90 }))))
    expect(result).toMatchObject({ ok: false, error: { name: 'TimeoutError' } })
    expect(lines.filter(isTimeoutRecord)).toHaveLength(1)
  })

  property('deadline listeners (cutoff, end, progress): the others still run, the deadline still ends', async (value, how) => {
    const ran: string[] = []
    await survive(async () => {
      const deadline = new Deadline({ context: createLambdaContext({ timeoutMs: 10_000 }) })
      deadline.onCutoff(failing(value, how))
      deadline.onCutoff(() => ran.push('cutoff'))
      timelineOf(deadline).onProgress(failing(value, how))
      timelineOf(deadline).onProgress(() => ran.push('progress'))
      deadline.onEnd(failing(value, how))
      deadline.onEnd(() => ran.push('end'))
      deadline.mark('step')
      reachCutoff(deadline)
      deadline.end()
      expect(deadline.ended).toBe(true)
    })
    expect(ran).toEqual(['progress', 'cutoff', 'end'])
  })

  property('the context getRemainingTimeInMillis: the deadline is unknown and the invocation succeeds', async (value, how) => {
    const context = { ...createLambdaContext(), getRemainingTimeInMillis: failing(value, how) }
    // Without Middy's own early timeout, which calls getRemainingTimeInMillis itself (and fails with it).
    const handler = middy(async () => 'ok', { timeoutEarlyInMillis: 0 })
      .use(gracefulTimeout())
      .use(timingLogger())
    const { result } = await survive(() => settled(handler({}, context as never)))
    expect(result).toEqual({ ok: true, value: 'ok' })
  })

  property('the handler itself: the invocation fails with the very value, and the timing record is written', async (value, how) => {
    const handler = middy(failing(value, how), { ...deadlinePlugin() })
      .use(timingLogger())
      .use(gracefulTimeout())
    const { result, lines } = await survive(() => settled(handler({}, createLambdaContext())))
    expect(result.ok === false && result.error).toBe(value)
    expect(lines.filter((line) => line.outcome === 'error' || line.outcome === 'timeout')).toHaveLength(1)
  })

  property('timing-logger fields, summarizeOutbound and random: the record is written without what failed', async (value, how) => {
    const options = { fields: failing(value, how), summarizeOutbound: failing(value, how), random: failing(value, how), sampleRate: 0.5 }
    const handler = middy(async () => 'ok', { ...deadlinePlugin() }).use(timingLogger(options as never))
    const { lines } = await survive(async () => {
      // The second invocation is warm and routine: the one that draws a sample.
      expect(await handler({}, createLambdaContext())).toBe('ok')
      expect(await handler({}, createLambdaContext())).toBe('ok')
    })
    expect(lines.filter((line) => line.outcome === 'success')).toHaveLength(2)
  })

  property('timing-logger logger: the record goes to stdout instead', async (value, how) => {
    const logger = { info: failing(value, how), warn: failing(value, how) }
    const handler = middy(async () => 'ok', { ...deadlinePlugin() }).use(timingLogger({ logger }))
    const { result, lines } = await survive(() => settled(handler({}, createLambdaContext())))
    expect(result).toEqual({ ok: true, value: 'ok' })
    expect(lines.filter((line) => line.outcome === 'success')).toHaveLength(1)
  })

  property('runner estimator, orderKey and item function: every item runs, a failed item carries the very value', async (value, how) => {
    const estimator = { estimate: failing(value, how), record: failing(value, how), samples: 0 }
    const { result: run } = await survive(() =>
      runWithinBudget([1, 2, 3], (item) => (item === 2 ? failing(value, how)() : item), {
        estimator: estimator as never,
        orderKey: failing(value, how) as never,
        deadline: new Deadline({ context: createLambdaContext({ timeoutMs: 10_000 }) }),
      }),
    )
    expect(run.outcomes.map((outcome) => outcome.status)).toEqual(['done', 'failed', 'done'])
    expect(run.outcomes[1]?.status === 'failed' && run.outcomes[1].error).toBe(value)
  })

  property('runner continueWith: the run fails with a ContinuationError whose cause is the very value', async (value, how) => {
    const { result } = await survive(() =>
      settled(runWithinBudget([1, 2], async () => {}, { signal: AbortSignal.abort(), continueWith: failing(value, how) })),
    )
    expect(result.ok === false && result.error).toBeInstanceOf(ContinuationError)
    expect(result.ok === false && (result.error as Error).cause).toBe(value)
  })

  property('sqsBatch onRun and record function: the answer names exactly the failed message', async (value, how) => {
    const handler = sqsBatch(async (record: { messageId: string }) => (record.messageId === 'b' ? failing(value, how)() : undefined), {
      onRun: failing(value, how),
    })
    const event = { Records: [{ messageId: 'a' }, { messageId: 'b' }] }
    const { result } = await survive(() => handler(event as never, createLambdaContext()))
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] })
  })

  property('outbound fetch option: the call fails with the very value', async (value, how) => {
    const handler = middy(async (_event: unknown, context: OutboundFetchContext) => settled(context.fetch('https://example.com/'))).use(
      outboundFetchTimeout({ fetch: failing(value, how) as never }),
    )
    const { result } = await survive(() => handler({}, createLambdaContext()))
    expect(result.ok).toBe(false)
    expect(result.ok === false && result.error).toBe(value)
  })

  property('a caller signal aborted with the value: the call fails with the signal reason', async (value) => {
    const controller = new AbortController()
    controller.abort(value)
    const handler = middy(async (_event: unknown, context: OutboundFetchContext) =>
      settled(context.fetch('https://example.com/', { signal: controller.signal })),
    ).use(outboundFetchTimeout({ fetch: async () => new Response('ok') }))
    const { result } = await survive(() => handler({}, createLambdaContext()))
    expect(result.ok === false && result.error).toBe(controller.signal.reason)
  })

  property('withDeadline work: the call fails with the very value', async (value, how) => {
    const handler = middy(async () => settled(withDeadline(failing(value, how) as never, { label: 'db' }))).use(deadline())
    const { result } = await survive(() => handler({}, createLambdaContext()))
    expect(result.ok === false && result.error).toBe(value)
  })

  property('a durable context whose remaining time fails: the step runs', async (value, how) => {
    const context = {
      step: async (_name: string, fn: () => unknown) => fn(),
      wait: async () => {},
      lambdaContext: { getRemainingTimeInMillis: failing(value, how) },
    }
    const { result } = await survive(() => stepWithinBudget(context as never, 'work', async () => 'done', { expectedMs: 10 }))
    expect(result).toBe('done')
  })
})
