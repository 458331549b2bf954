import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import middy from '@middy/core'
import { type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

afterEach(() => {
  vi.useRealTimers()
})

const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length

describe('release at the end of every invocation', () => {
  it('leaves no timers, listeners or heap growth after 100,000 invocations on mixed paths', async () => {
    // Every invocation arms what the deadline can arm: the cutoff timer (through the signal),
    // a listener on the signal, a cutoff listener and a sub-operation scope.
    const cacheHit = { before: (request: { event: { path: string } }) => (request.event.path === 'early' ? 'cached' : undefined) }
    const handler = middy(
      async (event: { path: string }, ctx: DeadlineContext) => {
        ctx.deadline.signal.addEventListener('abort', () => {})
        ctx.deadline.onCutoff(() => {})
        const op = ctx.deadline.timeout(1000)
        ctx.deadline.mark('work')
        if (event.path === 'error') throw new Error('failed')
        return op.aborted
      },
      { ...deadlinePlugin(), timeoutEarlyInMillis: 0 },
    )
      .use(deadline({ reserveMs: 100 }))
      .use(cacheHit)

    const paths = ['ok', 'error', 'early']
    const timersBefore = activeTimers()

    let heapAfterWarmUp = 0
    const outcomes = new Map<unknown, number>()
    // Anything still holding a listener, a timer or a scope of a past invocation would keep its
    // deadline alive: sample every 1000th and check that the garbage collector took them all.
    const sampled: WeakRef<object>[] = []
    for (let i = 0; i < 100_000; i++) {
      const context = createLambdaContext<DeadlineContext>({ timeoutMs: 60_000 })
      const outcome = await handler({ path: paths[i % 3] as string }, context).catch((error: Error) => error.message)
      if (i % 1000 === 0) sampled.push(new WeakRef((context as DeadlineContext).deadline))
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      if (i === 20_000) {
        gc()
        heapAfterWarmUp = process.memoryUsage().heapUsed
      }
    }
    await new Promise((resolve) => setImmediate(resolve))
    gc()
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapAfterWarmUp) / 1024 / 1024

    expect(Object.fromEntries(outcomes)).toEqual({ false: 33_334, failed: 33_333, cached: 33_333 })
    expect(activeTimers()).toBe(timersBefore)
    // The first invocation is called before this test's first await, so (without Lambda's own
    // store) AsyncLocalStorage.enterWith leaves its ended deadline on this test's own async
    // context, as it would on any caller's. That is one object, not a growing list.
    const alive = sampled.flatMap((ref, i) => (ref.deref() === undefined ? [] : [i * 1000]))
    expect(alive.filter((i) => i !== 0)).toEqual([])
    console.log(`heap growth after warm-up: ${heapGrowthMb.toFixed(2)} MB`)
    expect(heapGrowthMb).toBeLessThan(8)
  })

  it('lets no timer of invocation N act during invocation N+1', async () => {
    // Ordering, not time: on the fake clock the first invocation's cutoff comes, to the ms, while
    // the second one runs.
    vi.useFakeTimers()
    const acted: string[] = []
    const handler = middy(
      async (event: { id: string; runsMs: number }, ctx: DeadlineContext) => {
        ctx.deadline.onCutoff(() => acted.push(`cutoff of ${event.id}`))
        await vi.advanceTimersByTimeAsync(event.runsMs)
        return event.id
      },
      { timeoutEarlyInMillis: 0 },
    ).use(deadline({ reserveMs: 20 }))
    await handler({ id: 'first', runsMs: 0 }, createLambdaContext<DeadlineContext>({ timeoutMs: 60 }))
    // The first invocation's cutoff (40 ms after its start) comes during this one.
    await handler({ id: 'second', runsMs: 80 }, createLambdaContext<DeadlineContext>({ timeoutMs: 10_000 }))
    expect(acted).toEqual([])
  })
})
