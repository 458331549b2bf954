import middy from '@middy/core'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'

// A synchronous loop: no timer, ours or Middy's, can fire until it ends.
const blockFor = (ms: number) => {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // busy
  }
}

describe('invokeWithTimeout never passes what Lambda would kill', () => {
  it('reports a handler that blocks the event loop past its timeout as killed, though it then returns', async () => {
    const outcome = await invokeWithTimeout(
      () => {
        blockFor(300)
        return 'answered after the deadline'
      },
      {},
      { timeoutMs: 150 },
    )
    expect(outcome).toMatchObject({ status: 'killed', message: 'Task timed out after 0.15 seconds' })
    expect(outcome.durationMs).toBeGreaterThanOrEqual(295)
  })

  it('reports a Middy handler that blocks after an await and then fails as killed, not failed', async () => {
    const handler = middy(async () => {
      await Promise.resolve()
      blockFor(300)
      throw new Error('too late to matter')
    })
    const outcome = await invokeWithTimeout(handler, {}, { timeoutMs: 150 })
    expect(outcome).toMatchObject({ status: 'killed', message: 'Task timed out after 0.15 seconds' })
  })

  it('still reports a handler that blocks for less than its timeout as it ended, with the time it had left', async () => {
    const outcome = await invokeWithTimeout(
      () => {
        blockFor(50)
        return 'in time'
      },
      {},
      { timeoutMs: 1000 },
    )
    expect(outcome).toMatchObject({ status: 'succeeded', response: 'in time' })
    expect(outcome.status === 'succeeded' && outcome.settledBeforeHardDeadlineMs).toBeGreaterThan(0)
  })

  it('names the timeout of a context of its own in the kill message, not the default 3 s', async () => {
    // A clock that stands still: the context says 250 ms left for as long as the test runs.
    const context = createLambdaContext({ timeoutMs: 250, now: () => 1_000_000 })
    const outcome = await invokeWithTimeout(() => new Promise(() => {}), {}, { context })
    expect(outcome).toMatchObject({ status: 'killed', message: 'Task timed out after 0.25 seconds' })
  })

  it('names the time a context had left when the invocation started, when the test used some of it before', async () => {
    let now = 1_000_000
    const context = createLambdaContext({ timeoutMs: 1000, now: () => now })
    now += 880
    const outcome = await invokeWithTimeout(() => new Promise(() => {}), {}, { context })
    expect(outcome).toMatchObject({ status: 'killed', message: 'Task timed out after 0.12 seconds' })
  })
})
