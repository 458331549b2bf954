import middy from '@middy/core'
import { type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { OutboundTimeoutError, outboundCallsOf, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { watchTimers } from '../../../test/support/timers.js'

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
  it('records a call without a label as withDeadline', async () => {
    const result = await inInvocation(1000, () => withDeadline(Promise.resolve('rows')))
    expect(result.calls.recent).toEqual([expect.objectContaining({ kind: 'custom', label: 'withDeadline', outcome: 'ok' })])
  })

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

  it('does not start the work when less than minimumMs is left, and records it as a custom call cut at the cutoff', async () => {
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
    expect(result.calls.recent).toEqual([expect.objectContaining({ kind: 'custom', outcome: 'timeout', limit: 'cutoff' })])
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

describe('withDeadline: how a call ends', () => {
  it('says how long it ran before its limit: elapsedMs, and the message at the cutoff and at its own timeout', async () => {
    const atCutoff = await inInvocation(400, () => withDeadline(query(5000), { label: 'legacy driver' }))
    const cut = atCutoff.error as OutboundTimeoutError
    expect(cut.elapsedMs).toBeLessThanOrEqual(atCutoff.afterMs + 1)
    expect(cut.message).toBe(`Timed out (outbound call): cut at the invocation cutoff after ${cut.elapsedMs} ms`)

    const startedAt = performance.now()
    const own = (await withDeadline((signal) => query(500, signal), { timeoutMs: 50 }).catch(
      (error: unknown) => error,
    )) as OutboundTimeoutError
    expect(own.elapsedMs).toBeLessThanOrEqual(performance.now() - startedAt + 1)
    expect(own.message).toBe('Timed out (outbound call): no complete response within the per-request limit of 50 ms')
  })

  it("given another call's signal, ends with that call's error when that call's limit comes first: recorded as aborted, not as its own timeout", async () => {
    let inner: unknown
    const result = await inInvocation(2000, () =>
      withDeadline(
        (outer) =>
          withDeadline((signal) => query(1000, signal), { label: 'inner', signal: outer, timeoutMs: 1500 }).catch((error: unknown) => {
            inner = error
            throw error
          }),
        { label: 'outer', timeoutMs: 50 },
      ),
    )
    expect(result.error).toMatchObject({ label: 'outer', limit: 'operation' })
    // The outer call's signal's reason, as the caller's own abort would be: not an error of the inner call.
    expect(inner).not.toBeInstanceOf(OutboundTimeoutError)
    expect(inner).toMatchObject({ name: 'TimeoutError', limit: 'operation' })
    expect(result.calls.recent.map((call) => [call.label, call.outcome, call.limit])).toEqual([
      ['inner', 'aborted', undefined],
      ['outer', 'timeout', 'operation'],
    ])
  })

  it("stays a timeout when the caller's signal aborts once the limit has come", async () => {
    const result = await inInvocation(2000, () => {
      const caller = new AbortController()
      return withDeadline(
        (signal) => {
          // A parent that gives up its other work when this call is cut.
          signal.addEventListener('abort', () => caller.abort(new Error('parent gave up')))
          return query(1000, signal)
        },
        { label: 'postgres', signal: caller.signal, timeoutMs: 50 },
      )
    })
    expect(result.error).toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({ label: 'postgres', limit: 'operation' })
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'timeout', limit: 'operation' })
  })

  it('still running when the invocation ends: rejects with the end, recorded as aborted', async () => {
    let running: Promise<unknown> | undefined
    let deadline: DeadlineContext['deadline'] | undefined
    await inInvocation(2000, async (context) => {
      deadline = context.deadline
      running = withDeadline(new Promise(() => {}), { label: 'left behind' }).catch((error: unknown) => error)
    })
    expect(await running).toMatchObject({ name: 'InvocationEndedError' })
    const calls = outboundCallsOf(deadline as DeadlineContext['deadline'])
    expect(calls.recent).toEqual([expect.objectContaining({ label: 'left behind', outcome: 'aborted', limit: undefined })])
    expect(calls.counts).toMatchObject({ started: 1, aborted: 1 })
  })
})

// Run once: the checks count timers, state a retry does not start from.
describe('withDeadline: nothing left armed once the call settled', { retry: 0 }, () => {
  it('in an invocation, answered or failed', async () => {
    const failure = new Error('connection reset')
    const result = await inInvocation(3000, async (context) => {
      // The deadline's own cutoff timer, armed first: only the calls' timers are counted.
      context.deadline.onCutoff(() => {})
      const timers = watchTimers()
      await withDeadline(async () => 'rows', { timeoutMs: 1000 })
      await withDeadline(async () => Promise.reject(failure), { timeoutMs: 1000 }).catch(() => undefined)
      return timers.left()
    })
    expect(result.value).toBe(0)
  })

  it('outside an invocation, answered or failed', async () => {
    const timers = watchTimers()
    expect(await withDeadline(async () => 'rows', { timeoutMs: 1000 })).toBe('rows')
    await expect(withDeadline(async () => Promise.reject(new Error('connection reset')), { timeoutMs: 1000 })).rejects.toThrow()
    expect(await timers.left()).toBe(0)
  })
})
