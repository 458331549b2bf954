import middy from '@middy/core'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.useRealTimers()
})

describe('createLambdaContext', () => {
  it('counts the remaining time down from the timeout on the fake clock', () => {
    vi.useFakeTimers()
    const context = createLambdaContext({ timeoutMs: 3000 })
    expect(context.getRemainingTimeInMillis()).toBe(3000)
    vi.advanceTimersByTime(1250)
    expect(context.getRemainingTimeInMillis()).toBe(1750)
    vi.advanceTimersByTime(2000)
    expect(context.getRemainingTimeInMillis()).toBe(-250)
  })

  it('looks like the context the runtime builds', () => {
    const context = createLambdaContext({ functionName: 'orders', memoryLimitInMB: 512, awsRequestId: 'abc' })
    expect(context).toMatchObject({
      functionName: 'orders',
      functionVersion: '$LATEST',
      memoryLimitInMB: '512',
      awsRequestId: 'abc',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
      logGroupName: '/aws/lambda/orders',
    })
    expect(createLambdaContext().awsRequestId).not.toBe(createLambdaContext().awsRequestId)
    expect(() => context.succeed('x')).toThrow('not supported')
  })

  it('has the documented defaults: test-function, $LATEST, 128 MB, 3 s', () => {
    vi.useFakeTimers()
    expect(createLambdaContext()).toMatchObject({
      functionName: 'test-function',
      functionVersion: '$LATEST',
      memoryLimitInMB: '128',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
      logGroupName: '/aws/lambda/test-function',
    })
    expect(createLambdaContext().getRemainingTimeInMillis()).toBe(3000)
  })
})

describe('invokeWithTimeout', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  it('reports a handler that finishes in time, and how much time was left', async () => {
    const outcome = await invokeWithTimeout(
      middy(async () => 'done'),
      {},
      { timeoutMs: 500 },
    )
    expect(outcome).toMatchObject({ status: 'succeeded', response: 'done' })
    // What was left is the timeout less what the invocation took, however long a loaded machine
    // took (the context counts in whole ms of Date.now(): 2 ms of rounding).
    if (outcome.status !== 'succeeded') return
    expect(outcome.settledBeforeHardDeadlineMs).toBeGreaterThan(0)
    expect(Math.abs(outcome.settledBeforeHardDeadlineMs + outcome.durationMs - 500)).toBeLessThanOrEqual(2)
  })

  it('reports a handler that fails', async () => {
    const outcome = await invokeWithTimeout(
      middy(async () => {
        throw new Error('nope')
      }),
      {},
    )
    expect(outcome.status).toBe('failed')
    expect(outcome.status === 'failed' && outcome.error).toMatchObject({ message: 'nope' })
  })

  it("reports a handler still running at the hard deadline as killed, with Lambda's message", async () => {
    let finallyRan = false
    // The handler runs until the test lets it go: it is still running whenever the kill comes.
    let letGo: () => void = () => {}
    const stillRunning = new Promise<void>((resolve) => {
      letGo = resolve
    })
    const outcome = await invokeWithTimeout(
      middy(
        async () => {
          try {
            await stillRunning
            return 'too late'
          } finally {
            finallyRan = true
          }
        },
        { timeoutEarlyInMillis: 0 },
      ),
      {},
      { timeoutMs: 150 },
    )
    expect(outcome).toMatchObject({ status: 'killed', message: 'Task timed out after 0.15 seconds' })
    expect(outcome.durationMs).toBeGreaterThanOrEqual(145)
    expect(finallyRan).toBe(false)
    letGo()
  })

  it.each([
    ['no getRemainingTimeInMillis', {}],
    [
      'one that throws',
      {
        getRemainingTimeInMillis: () => {
          throw new Error('no clock')
        },
      },
    ],
    ['NaN', { getRemainingTimeInMillis: () => Number.NaN }],
    ['Infinity', { getRemainingTimeInMillis: () => Number.POSITIVE_INFINITY }],
    ['a string', { getRemainingTimeInMillis: () => '100' }],
  ])('never kills a handler whose context cannot say its remaining time (%s)', async (_label, context) => {
    const outcome = await invokeWithTimeout(async () => sleep(30).then(() => 'done'), {}, { context: context as never })
    expect(outcome).toMatchObject({ status: 'succeeded', response: 'done' })
    expect(outcome.status === 'succeeded' && outcome.settledBeforeHardDeadlineMs).toBeNaN()
  })

  it('leaves no timer behind once the handler has answered (nothing keeps the test process alive until the timeout)', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
    const before = timers()
    const outcome = await invokeWithTimeout(async () => 'done', {}, { timeoutMs: 60_000 })
    expect(outcome.status).toBe('succeeded')
    expect(timers()).toBe(before)
  })

  it('discards what a killed handler does afterwards, without an unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      let letGo: () => void = () => {}
      const stillRunning = new Promise<void>((resolve) => {
        letGo = resolve
      })
      const outcome = await invokeWithTimeout(
        async () => {
          await stillRunning
          throw new Error('failed after the hard deadline')
        },
        {},
        { timeoutMs: 50 },
      )
      expect(outcome.status).toBe('killed')
      // Now it fails, in the microtasks after this; Node reports an unhandled rejection once they
      // have run, before the next turn of the event loop.
      letGo()
      await new Promise((resolve) => setImmediate(resolve))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('works on the fake clock too', async () => {
    vi.useFakeTimers()
    const pending = invokeWithTimeout(
      middy(async () => sleep(10_000), { timeoutEarlyInMillis: 0 }),
      {},
      { timeoutMs: 3000 },
    )
    await vi.advanceTimersByTimeAsync(3000)
    expect(await pending).toMatchObject({ status: 'killed', message: 'Task timed out after 3.00 seconds' })
  })
})
