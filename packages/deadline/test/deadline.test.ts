import middy from '@middy/core'
import {
  currentDeadline,
  type DeadlineContext,
  DeadlineTimeoutError,
  deadline,
  deadlinePlugin,
  InvocationEndedError,
} from '@middy-deadline/deadline'
import { reachCutoff, timelineOf } from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.useRealTimers()
})

/**
 * Waits for `signal` (the deadline's by default) to abort, beside a timer the handler sets for
 * halfway between the cutoff and the hard deadline. However late a loaded machine runs timers,
 * Node runs the due ones in the order they are due: if the abort comes first, it came at the
 * cutoff's timer, not at some later wake-up; no bound in milliseconds to miss under load.
 */
const abortedBeforeHalfTheReserve = (ctx: DeadlineContext, signal = ctx.deadline.signal) =>
  new Promise<{ reason: unknown; firstEvent: string }>((resolve) => {
    const events: string[] = []
    const halfway = setTimeout(() => events.push('halfway into the reserve'), ctx.deadline.remaining() + ctx.deadline.reserveMs / 2)
    signal.addEventListener('abort', () => {
      clearTimeout(halfway)
      events.push('aborted')
      resolve({ reason: signal.reason, firstEvent: events[0] as string })
    })
  })

describe('deadline', () => {
  it('shows the handler one deadline fixed at the start from the remaining time', async () => {
    vi.useFakeTimers()
    const context = createLambdaContext<DeadlineContext>({ timeoutMs: 3000, awsRequestId: 'req-1' })
    vi.advanceTimersByTime(200) // the invocation starts 200 ms into the function's time
    const handler = middy(async (_event: unknown, ctx: DeadlineContext) => {
      vi.advanceTimersByTime(300)
      return { status: ctx.deadline.status, budget: ctx.deadline.budgetMs, elapsed: ctx.deadline.elapsed(), left: ctx.deadline.remaining() }
    }).use(deadline({ reserveMs: 500 }))

    const startedAt = Date.now()
    const result = await handler({}, context)
    expect(result).toEqual({ status: 'running', budget: 2800, elapsed: 300, left: 2800 - 300 - 500 })
    expect(Object.keys(context)).not.toContain('deadline')
    expect((context as DeadlineContext).deadline.hardDeadlineAt).toBe(startedAt + 2800)
    expect((context as DeadlineContext).deadline.requestId).toBe('req-1')
  })

  it('aborts the signal at the cutoff with a TimeoutError, before the hard deadline (real timers)', async () => {
    const context = createLambdaContext<DeadlineContext>({ timeoutMs: 400 })
    const handler = middy(async (_event: unknown, ctx: DeadlineContext) => {
      const { reason, firstEvent } = await abortedBeforeHalfTheReserve(ctx)
      return { reason, abortedAtMs: ctx.deadline.elapsed(), cutoffMs: ctx.deadline.budgetMs - ctx.deadline.reserveMs, firstEvent }
    }).use(deadline({ reserveMs: 150 }))

    const { reason, abortedAtMs, cutoffMs, firstEvent } = await handler({}, context)
    expect(reason).toBeInstanceOf(DeadlineTimeoutError)
    expect((reason as Error).name).toBe('TimeoutError')
    expect((reason as DeadlineTimeoutError).limit).toBe('cutoff')
    // Never before the cutoff, on the deadline's own clock (timers may fire 1 ms early)...
    expect(abortedAtMs).toBeGreaterThanOrEqual(cutoffMs - 1)
    // ...and near it, well before the hard deadline: ahead of a timer due halfway into the reserve.
    expect(firstEvent).toBe('aborted')
  })

  it('counts the time since the cutoff from when it was due, when a blocked event loop made its timer late', async () => {
    const context = createLambdaContext<DeadlineContext>({ timeoutMs: 600 })
    const handler = middy(async (_event: unknown, ctx: DeadlineContext) => {
      const cutoffMs = ctx.deadline.budgetMs - ctx.deadline.reserveMs
      const before = ctx.deadline.sinceCutoff()
      const atCutoff = new Promise<number>((resolve) => ctx.deadline.onCutoff((d) => resolve(d.sinceCutoff())))
      // Synchronous work straddling the cutoff: no timer can run until it returns.
      while (ctx.deadline.elapsed() < cutoffMs + 120) {}
      const seenAtCutoff = await atCutoff
      return { before, seenAtCutoff, pastCutoffMs: ctx.deadline.elapsed() - cutoffMs }
    }).use(deadline({ reserveMs: 300 }))

    const { before, seenAtCutoff, pastCutoffMs } = await handler({}, context)
    expect(before).toBe(0)
    // The listener ran at least 120 ms late, and says so: not 0, as counted from the late timer.
    expect(seenAtCutoff).toBeGreaterThanOrEqual(120)
    expect(seenAtCutoff).toBeLessThanOrEqual(pastCutoffMs)
  })

  it('counts the time since the cutoff from when it was reached, when something reached it early', async () => {
    vi.useFakeTimers()
    const handler = middy(async (_event: unknown, ctx: DeadlineContext) => {
      vi.advanceTimersByTime(100)
      // What graceful-timeout does when Middy's own early timeout fires before the cutoff.
      reachCutoff(ctx.deadline)
      vi.advanceTimersByTime(30)
      return ctx.deadline.sinceCutoff()
    }).use(deadline({ reserveMs: 200 }))
    expect(await handler({}, createLambdaContext<DeadlineContext>({ timeoutMs: 1000 }))).toBe(30)
  })

  it('keeps the largest reserve asked for, and never more than half of the starting budget', async () => {
    const reserves: number[] = []
    const record = (ctx: DeadlineContext) => reserves.push(ctx.deadline.reserveMs)
    const chain = (timeoutMs: number) =>
      middy(async (_e: unknown, ctx: DeadlineContext) => record(ctx))
        .use(deadline({ reserveMs: 300 }))
        .use(deadline({ reserveMs: 1000 }))
        .use(deadline({ reserveMs: 200 }))({}, createLambdaContext<DeadlineContext>({ timeoutMs }))
    await chain(10_000)
    await chain(1200)
    expect(reserves[0]).toBe(1000)
    expect(reserves[1]).toBeGreaterThanOrEqual(599)
    expect(reserves[1]).toBeLessThanOrEqual(600)
  })

  it('ends with the invocation: the signal aborts with InvocationEndedError and lookups stop finding it', async () => {
    let kept: DeadlineContext['deadline'] | undefined
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => {
      kept = ctx.deadline
      void ctx.deadline.signal
      return 'ok'
    }).use(deadline())
    await handler({}, createLambdaContext<DeadlineContext>())
    expect(kept?.ended).toBe(true)
    expect(kept?.signal.aborted).toBe(true)
    expect(kept?.signal.reason).toBeInstanceOf(InvocationEndedError)
    expect(currentDeadline()).toBeUndefined()
  })

  it('records named marks with their time since the start (none before the first)', async () => {
    vi.useFakeTimers()
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => {
      const before = ctx.deadline.marks.map((m) => [m.name, m.atMs])
      ctx.deadline.mark('loaded')
      vi.advanceTimersByTime(40)
      ctx.deadline.mark('saved')
      return [before, ctx.deadline.marks.map((m) => [m.name, m.atMs])]
    }).use(deadline())
    expect(await handler({}, createLambdaContext<DeadlineContext>())).toEqual([
      [],
      [
        ['loaded', 0],
        ['saved', 40],
      ],
    ])
  })

  it('tells whether a piece of work still fits before the cutoff', async () => {
    vi.useFakeTimers()
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => {
      const early = [ctx.deadline.hasTimeFor(400), ctx.deadline.hasTimeFor(600)]
      vi.advanceTimersByTime(300)
      return [...early, ctx.deadline.hasTimeFor(200), ctx.deadline.hasTimeFor(250)]
    }).use(deadline({ reserveMs: 500 }))
    expect(await handler({}, createLambdaContext<DeadlineContext>({ timeoutMs: 1000 }))).toEqual([true, false, true, false])
  })

  it('records each middleware and the handler as a phase when the plugin is used', async () => {
    vi.useFakeTimers()
    const slowBefore = {
      before: async function slowBefore() {
        vi.advanceTimersByTime(20)
      },
    }
    const handler = middy(
      async (_e: unknown, ctx: DeadlineContext) => {
        vi.advanceTimersByTime(50)
        return timelineOf(ctx.deadline).currentPhase
      },
      { ...deadlinePlugin() },
    )
      .use(deadline())
      .use(slowBefore)
    const context = createLambdaContext<DeadlineContext>()
    expect(await handler({}, context)).toBe('handler')
    const phases = timelineOf((context as DeadlineContext).deadline).phases.map((p) => [p.name, p.durationMs])
    expect(phases).toEqual([
      ['deadlineBefore', 0],
      ['slowBefore', 20],
      ['handler', 50],
      ['deadlineAfter', 0],
    ])
  })

  it('names its onError phase deadlineOnError when the handler throws', async () => {
    const handler = middy(
      async () => {
        throw new Error('failed')
      },
      { ...deadlinePlugin() },
    ).use(deadline())
    const context = createLambdaContext<DeadlineContext>()
    await expect(handler({}, context)).rejects.toThrow('failed')
    expect(timelineOf((context as DeadlineContext).deadline).phases.map((p) => p.name)).toEqual([
      'deadlineBefore',
      'handler',
      'deadlineOnError',
    ])
  })

  it("starts a middleware's phase where the previous one ended, and the handler's when it is called", async () => {
    vi.useFakeTimers()
    const plugin = deadlinePlugin()
    // A plugin of the user's own around ours that takes 5 ms after every middleware.
    const slowHooks = {
      ...plugin,
      afterMiddleware(name: string) {
        plugin.afterMiddleware(name)
        vi.advanceTimersByTime(5)
      },
    }
    const slowBefore = {
      before: async function slowBefore() {
        vi.advanceTimersByTime(20)
      },
    }
    const handler = middy(async () => vi.advanceTimersByTime(50), slowHooks)
      .use(deadline())
      .use(slowBefore)
    const context = createLambdaContext<DeadlineContext>()
    await handler({}, context)
    const phases = timelineOf((context as DeadlineContext).deadline).phases.map((p) => [p.name, p.startMs, p.durationMs])
    expect(phases).toEqual([
      ['deadlineBefore', 0, 0],
      // Middy calls beforeMiddleware right after afterMiddleware: the 5 ms between count here.
      ['slowBefore', 0, 25],
      // Middy 6 awaits its middleware loop before the handler: its phase reads the clock.
      ['handler', 30, 50],
      ['deadlineAfter', 80, 0],
    ])
  })
})

describe('deadline.scope', () => {
  const run = <T>(timeoutMs: number, reserveMs: number, body: (ctx: DeadlineContext) => Promise<T>) =>
    middy(async (_e: unknown, ctx: DeadlineContext) => body(ctx)).use(deadline({ reserveMs }))(
      {},
      createLambdaContext<DeadlineContext>({ timeoutMs }),
    )

  const abortReason = (signal: AbortSignal) =>
    new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)))

  it("aborts a sub-operation at its own timeout with limit 'operation'", async () => {
    const reason = await run(2000, 100, (ctx) => abortReason(ctx.deadline.timeout(50)))
    expect(reason).toMatchObject({ name: 'TimeoutError', limit: 'operation' })
  })

  it("never lets a sub-operation outlive the cutoff: limit 'cutoff'", async () => {
    const { reason, firstEvent } = await run(400, 200, (ctx) => abortedBeforeHalfTheReserve(ctx, ctx.deadline.timeout(10_000)))
    expect(reason).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
    expect(firstEvent).toBe('aborted')
  })

  it("passes the caller's own abort reason through unchanged", async () => {
    const caller = new AbortController()
    const mine = new Error('user cancelled')
    const reason = await run(2000, 100, (ctx) => {
      const signal = ctx.deadline.timeout(1000, caller.signal)
      const aborted = abortReason(signal)
      caller.abort(mine)
      return aborted
    })
    expect(reason).toBe(mine)
  })

  it('is released when disposed, and at the end of the invocation at the latest', async () => {
    // On the fake clock the disposed scope's 50 ms pass, to the ms, before the handler looks.
    vi.useFakeTimers()
    let leftOver: AbortSignal | undefined
    const disposedAborted = await run(2000, 100, async (ctx) => {
      const scope = ctx.deadline.scope(50)
      scope.dispose()
      leftOver = ctx.deadline.timeout(1000)
      await vi.advanceTimersByTimeAsync(80)
      return scope.signal.aborted
    })
    expect(disposedAborted).toBe(false)
    expect(leftOver?.reason).toBeInstanceOf(InvocationEndedError)
  })
})

describe('a sub-operation that is over before it starts', () => {
  const reasons = async (timeoutMs: number, reserveMs: number, body: (ctx: DeadlineContext) => Promise<AbortSignal[]>) =>
    (
      await middy(async (_e: unknown, ctx: DeadlineContext) => body(ctx), { timeoutEarlyInMillis: 0 }).use(deadline({ reserveMs }))(
        {},
        createLambdaContext<DeadlineContext>({ timeoutMs }),
      )
    ).map((signal) => ({ aborted: signal.aborted, reason: signal.reason }))

  it('is aborted at once: after the cutoff, by a caller signal already aborted, or with no time given', async () => {
    const callerReason = new Error('user cancelled')
    const seen = await reasons(600, 200, async (ctx) => {
      const noTime = ctx.deadline.timeout(0)
      const callerAborted = ctx.deadline.timeout(1000, AbortSignal.abort(callerReason))
      await new Promise((resolve) => ctx.deadline.onCutoff(resolve))
      return [noTime, callerAborted, ctx.deadline.timeout(1000)]
    })
    expect(seen).toEqual([
      {
        aborted: true,
        reason: expect.objectContaining({ name: 'TimeoutError', limit: 'operation', message: 'operation timed out after 0 ms' }),
      },
      { aborted: true, reason: callerReason },
      {
        aborted: true,
        reason: expect.objectContaining({
          name: 'TimeoutError',
          limit: 'cutoff',
          message: expect.stringMatching(/^invocation cutoff reached after \d+ ms \(200 ms before the hard deadline\)$/),
        }),
      },
    ])
  })

  it('is aborted at once with the cutoff’s own reason, which it reaches, when the invocation has no time left before its cutoff', async () => {
    vi.useFakeTimers()
    const context = createLambdaContext<DeadlineContext>({ timeoutMs: 400 })
    const pending = middy(
      async (_e: unknown, ctx: DeadlineContext) => {
        // The clock moves past the cutoff; nothing had armed a timer to tell the deadline.
        vi.advanceTimersByTime(300)
        const signal = ctx.deadline.timeout(1000)
        return { aborted: signal.aborted, reason: signal.reason, invocationSignal: ctx.deadline.signal.reason }
      },
      { timeoutEarlyInMillis: 0 },
    ).use(deadline({ reserveMs: 200 }))({}, context)
    await vi.runAllTimersAsync()
    const cutoffReason = expect.objectContaining({
      name: 'TimeoutError',
      limit: 'cutoff',
      message: 'invocation cutoff reached after 300 ms (200 ms before the hard deadline)',
    })
    expect(await pending).toEqual({ aborted: true, reason: cutoffReason, invocationSignal: cutoffReason })
  })
})

describe('a sub-operation whose limit is the cutoff', () => {
  it("reaches the invocation's cutoff when its own timer fires, even when nothing else armed the deadline", async () => {
    const seen = await middy(
      async (_e: unknown, ctx: DeadlineContext) => {
        // Only the scope arms a timer here: no signal read, no cutoff listener.
        const op = ctx.deadline.scope(10_000)
        await new Promise((resolve) => op.signal.addEventListener('abort', resolve))
        return { opReason: op.signal.reason, cutoffReached: ctx.deadline.cutoffReached, left: ctx.deadline.remaining() }
      },
      { timeoutEarlyInMillis: 0 },
    ).use(deadline({ reserveMs: 100 }))({}, createLambdaContext<DeadlineContext>({ timeoutMs: 300 }))
    expect(seen.opReason).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
    expect(seen.cutoffReached).toBe(true)
    expect(seen.left).toBeLessThanOrEqual(1)
  })
})

describe('the listeners and names a handler gives the deadline', () => {
  it('never runs a cutoff listener unsubscribed before the cutoff; unsubscribing twice takes no other listener with it', async () => {
    const ran: string[] = []
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => {
      const unsubscribe = ctx.deadline.onCutoff(() => ran.push('unsubscribed'))
      ctx.deadline.onCutoff(() => ran.push('kept'))
      unsubscribe()
      unsubscribe()
      reachCutoff(ctx.deadline)
      reachCutoff(ctx.deadline)
      return ctx.deadline.signal.reason
    }).use(deadline())
    const reason = await handler({}, createLambdaContext<DeadlineContext>())
    expect(ran).toEqual(['kept'])
    expect(reason).toBeInstanceOf(DeadlineTimeoutError)
  })

  it('ignores a cutoff listener added, or a cutoff reached, once the invocation has ended', async () => {
    const context = createLambdaContext<DeadlineContext>()
    await middy(async () => 'done').use(deadline())({}, context)
    const ended = context.deadline
    const ran: string[] = []
    ended.onCutoff(() => ran.push('late listener'))()
    reachCutoff(ended)
    expect(ran).toEqual([])
    expect(ended.cutoffReached).toBe(false)
    expect(ended.signal.reason).toBeInstanceOf(InvocationEndedError)
  })

  it('records a mark or a phase named with something other than a string under a safe description, and closes that phase', async () => {
    const numbered = Object.defineProperty(async () => {}, 'name', { value: 42 })
    const handler = middy(
      async (_e: unknown, ctx: DeadlineContext) => {
        ctx.deadline.mark({ toString: () => 'never called' } as never)
        timelineOf(ctx.deadline).exitPhase('never entered')
      },
      { ...deadlinePlugin() },
    )
      .use(deadline())
      .use({ before: numbered })
    const context = createLambdaContext<DeadlineContext>()
    await handler({}, context)
    expect(context.deadline.marks.map((mark) => mark.name)).toEqual(['an object'])
    expect(timelineOf(context.deadline).phases.map((phase) => [phase.name, typeof phase.durationMs])).toEqual([
      ['deadlineBefore', 'number'],
      ['42', 'number'],
      ['handler', 'number'],
      ['deadlineAfter', 'number'],
    ])
  })

  it('takes the closing of a phase never opened for nothing', async () => {
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => {
      timelineOf(ctx.deadline).exitPhase('handler')
      return timelineOf(ctx.deadline).phases.length
    }).use(deadline())
    expect(await handler({}, createLambdaContext<DeadlineContext>())).toBe(0)
  })
})
