import middy from '@middy/core'
import { type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { invokeOnMixedPaths } from './mixed-paths.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('release at the end of every invocation', () => {
  it('leaves no timers and no listener holding a past invocation, on every path (answer, error, early response)', async () => {
    const { outcomes, timersLeft, alive } = await invokeOnMixedPaths(300, 10)
    expect(outcomes).toEqual({ false: 100, failed: 100, cached: 100 })
    expect(timersLeft).toBe(0)
    expect(alive).toEqual([])
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
