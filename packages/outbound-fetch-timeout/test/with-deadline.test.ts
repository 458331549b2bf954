import middy from '@middy/core'
import { type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { OutboundTimeoutError, outboundCallsOf, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'

/** A driver call that takes `ms`, honouring the signal or not. */
const query = (ms: number, signal?: AbortSignal) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => resolve('rows'), ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })

async function inInvocation<T>(timeoutMs: number, work: (context: DeadlineContext) => Promise<T>) {
  const handler = middy<unknown, unknown, Error, DeadlineContext>(
    async (_event: unknown, context: DeadlineContext) => {
      // `afterMs`: ms since the invocation started, on its deadline's clock.
      try {
        return { value: await work(context), afterMs: context.deadline.elapsed(), calls: outboundCallsOf(context.deadline) }
      } catch (error) {
        return { error, afterMs: context.deadline.elapsed(), calls: outboundCallsOf(context.deadline) }
      }
    },
    { timeoutEarlyInMillis: 0 },
  ).use(deadline({ reserveMs: 200 }))
  return (await handler({}, createLambdaContext({ timeoutMs }))) as {
    value?: T
    error?: unknown
    afterMs: number
    calls: ReturnType<typeof outboundCallsOf>
  }
}

describe('withDeadline', () => {
  it('passes a result through and records the call under its label', async () => {
    const result = await inInvocation(1000, () => withDeadline((signal) => query(20, signal), { label: 'postgres' }))
    expect(result.value).toBe('rows')
    expect(result.calls.recent).toEqual([expect.objectContaining({ kind: 'custom', label: 'postgres', outcome: 'ok', method: undefined })])
  })

  it('rejects at its own timeout with the same error shape as fetch', async () => {
    const result = await inInvocation(1000, () => withDeadline((signal) => query(500, signal), { label: 'postgres', timeoutMs: 100 }))
    expect(result.error).toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'operation', label: 'postgres', url: undefined })
    expect((result.error as OutboundTimeoutError).elapsedMs).toBeGreaterThanOrEqual(95)
    expect(result.afterMs).toBeLessThan(400)
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'timeout', limit: 'operation' })
  })

  it('rejects at the invocation cutoff even when the work ignores its signal', async () => {
    const result = await inInvocation(400, () => withDeadline(query(5000), { label: 'legacy driver' }))
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff', label: 'legacy driver' })
    expect(result.afterMs).toBeGreaterThanOrEqual(180)
    expect(result.afterMs).toBeLessThan(390)
  })

  it('does not start the work when less than minimumMs is left', async () => {
    let started = false
    const result = await inInvocation(300, async () => {
      await query(190)
      return withDeadline(() => {
        started = true
        return query(10)
      })
    })
    expect(result.error).toMatchObject({ name: 'TimeoutError', sent: false })
    expect(started).toBe(false)
  })

  it("rejects with the caller's own reason when the caller aborts", async () => {
    const reason = new Error('shutting down')
    const result = await inInvocation(1000, () => {
      const controller = new AbortController()
      setTimeout(() => controller.abort(reason), 30)
      return withDeadline((signal) => query(500, signal), { signal: controller.signal })
    })
    expect(result.error).toBe(reason)
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'aborted' })
  })

  it('passes the work’s own failure through as an error', async () => {
    const failure = new Error('syntax error at or near SELEC')
    const result = await inInvocation(1000, () => withDeadline(async () => Promise.reject(failure), { label: 'postgres' }))
    expect(result.error).toBe(failure)
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'error' })
  })

  it('rejects with the error a work function throws as it starts (not a promise), and records it as an error', async () => {
    const failure = new TypeError('pool is closed')
    const result = await inInvocation(1000, () =>
      withDeadline(
        () => {
          throw failure
        },
        { label: 'postgres' },
      ),
    )
    expect(result.error).toBe(failure)
    expect(result.calls.recent).toEqual([expect.objectContaining({ kind: 'custom', label: 'postgres', outcome: 'error' })])
  })

  it('records the work as timed out, with that limit, when a bounded call inside it timed out first', async () => {
    const result = await inInvocation(1000, () =>
      withDeadline(() => withDeadline((signal) => query(2000, signal), { label: 'postgres', timeoutMs: 100 }), {
        label: 'checkout flow',
        timeoutMs: 700,
      }),
    )
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'operation', label: 'postgres' })
    expect(result.afterMs).toBeLessThan(600)
    expect(result.calls.recent.map((call) => [call.label, call.outcome, call.limit])).toEqual([
      ['postgres', 'timeout', 'operation'],
      ['checkout flow', 'timeout', 'operation'],
    ])
  })

  it("rejects at once with the caller's reason when the work itself aborts the caller's signal as it starts", async () => {
    const reason = new Error('cancelled by the work')
    const result = await inInvocation(1000, () => {
      const caller = new AbortController()
      return withDeadline(
        (signal) => {
          caller.abort(reason)
          return query(500, signal)
        },
        { signal: caller.signal },
      )
    })
    expect(result.error).toBe(reason)
    expect(result.afterMs).toBeLessThan(400)
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'aborted' })
  })

  it('outside an invocation passes the work’s own failure through as it is', async () => {
    const failure = new Error('connection reset')
    await expect(withDeadline(async () => Promise.reject(failure), { timeoutMs: 1000 })).rejects.toBe(failure)
  })

  it('outside an invocation applies only its own timeout', async () => {
    expect(await withDeadline((signal) => query(20, signal))).toBe('rows')
    await expect(withDeadline((signal) => query(500, signal), { timeoutMs: 50, label: 'redis' })).rejects.toMatchObject({
      name: 'TimeoutError',
      limit: 'operation',
      label: 'redis',
    })
  })

  it("outside an invocation keeps the caller's signal: aborted before, the work never starts; aborted during, its reason", async () => {
    const reason = new Error('shutting down')
    let started = false
    await expect(
      withDeadline(
        () => {
          started = true
          return 'rows'
        },
        { signal: AbortSignal.abort(reason) },
      ),
    ).rejects.toBe(reason)
    expect(started).toBe(false)
    const caller = new AbortController()
    const running = withDeadline((signal) => query(500, signal), { signal: caller.signal, timeoutMs: 5_000 })
    caller.abort(reason)
    await expect(running).rejects.toBe(reason)
  })

  it('uses an explicit deadline when given one, wherever it runs', async () => {
    let captured: DeadlineContext['deadline'] | undefined
    await inInvocation(1000, async (context) => {
      captured = context.deadline
    })
    // That invocation has ended: work bound to its deadline is refused.
    await expect(withDeadline(() => query(10), { deadline: captured })).rejects.toMatchObject({ name: 'InvocationEndedError' })
  })
})
