import { DeadlineOptionError } from '@middy-deadline/deadline'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'

const handler = async () => 'ok'

describe('the options of createLambdaContext and invokeWithTimeout', () => {
  it.each([
    [{ timeoutMs: 0 }, 'timeoutMs', 'must be a number of milliseconds in (0, 900000], got 0'],
    [{ timeoutMs: -5 }, 'timeoutMs', 'got -5'],
    [{ timeoutMs: '1000' }, 'timeoutMs', 'got "1000"'],
    [{ timeoutMs: Number.NaN }, 'timeoutMs', 'got NaN'],
    [{ timeoutMs: 900_001 }, 'timeoutMs', 'got 900001'],
    [{ memoryLimitInMB: 64 }, 'memoryLimitInMB', 'must be a whole number in [128, 10240], got 64'],
    [{ memoryLimitInMB: 512.5 }, 'memoryLimitInMB', 'got 512.5'],
    [{ memoryLimitInMB: '512' }, 'memoryLimitInMB', 'got "512"'],
    [{ functionName: '' }, 'functionName', 'must be a non-empty string of at most 64 characters, got ""'],
    [{ functionName: 'f'.repeat(65) }, 'functionName', 'must be a non-empty string of at most 64 characters'],
    [{ functionVersion: 42 }, 'functionVersion', 'got 42'],
    [{ awsRequestId: Object.create(null) }, 'awsRequestId', 'got an object'],
    [{ now: 1_000 }, 'now', 'must be a function'],
    [{ timeout: 1000 }, 'timeout', 'is unknown (known: timeoutMs, awsRequestId, functionName, functionVersion, memoryLimitInMB, now)'],
  ])('refuse %o when the context is made, naming the option', (options, option, problem) => {
    const made = () => createLambdaContext(options as never)
    expect(made).toThrow(DeadlineOptionError)
    expect(made).toThrow(`@middy-deadline/testing: option \`${option}\``)
    expect(made).toThrow(problem)
  })

  it.each([
    [{ timeoutMs: 0 }, 'timeoutMs', 'must be a number of milliseconds in (0, 900000]'],
    [{ timeout: 1000 }, 'timeout', 'is unknown'],
    [{ context: 'ctx' }, 'context', 'must be an object, got "ctx"'],
    [{ context: null }, 'context', 'must be an object, got null'],
    // A fixed request id: the row's printed options are the test's name, which must not change
    // from run to run (mutation testing finds each test again by its name).
    [{ context: createLambdaContext({ awsRequestId: 'req-own' }), timeoutMs: 1000 }, 'timeoutMs', 'cannot be combined with `context`'],
    [
      { context: createLambdaContext({ awsRequestId: 'req-own' }), functionName: 'orders' },
      'functionName',
      'cannot be combined with `context`',
    ],
    [null, 'options', 'must be an object, got null'],
    [500, 'options', 'must be an object, got 500'],
  ])('refuse %o before the handler runs, naming the option', async (options, option, problem) => {
    let ran = false
    const invoked = invokeWithTimeout(
      async () => {
        ran = true
      },
      {},
      options as never,
    )
    await expect(invoked).rejects.toThrow(DeadlineOptionError)
    await expect(invoked).rejects.toThrow(`@middy-deadline/testing: option \`${option}\` ${problem}`)
    expect(ran).toBe(false)
  })

  it('refuse a handler that is not a function', async () => {
    await expect(invokeWithTimeout('handler' as never, {})).rejects.toThrow(
      '@middy-deadline/testing: option `handler` must be a function, got "handler"',
    )
  })

  it('read only the options object’s own properties: inherited ones are neither used nor unknown keys', async () => {
    const inherited = Object.create({ timeoutMs: 1, functionName: 'from-the-prototype' }) as object
    const context = createLambdaContext(inherited)
    expect(context.functionName).toBe('test-function')
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(2900)
    expect(await invokeWithTimeout(handler, {}, inherited)).toMatchObject({ status: 'succeeded', response: 'ok' })
  })

  it('take every valid option', () => {
    const context = createLambdaContext({
      timeoutMs: 900_000,
      awsRequestId: 'req-1',
      functionName: 'orders',
      functionVersion: '7',
      memoryLimitInMB: 10_240,
      now: () => 0,
    })
    expect(context).toMatchObject({ awsRequestId: 'req-1', functionName: 'orders', functionVersion: '7', memoryLimitInMB: '10240' })
    expect(context.getRemainingTimeInMillis()).toBe(900_000)
  })
})
