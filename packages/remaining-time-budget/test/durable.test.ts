import { type DurableContext, withDurableExecution } from '@aws/durable-execution-sdk-js'
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing'
import middy from '@middy/core'
import { executionModeDurableContext } from '@middy/core/executionModeDurableContext'
import { remainingTimeBudget } from '@middy-deadline/remaining-time-budget'
import { stepWithinBudget } from '@middy-deadline/remaining-time-budget/durable'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'
import { newLedger, reinvokedAfterTimeout, withFunctionTimeout, work } from './durable-model.js'

// The scenario of the issue, on the SDK's local test runner with its time skipping: 42 minutes
// of steps run in well under a second. durable-model.ts says exactly what is simulated.
const MINUTE = 60_000
const FUNCTION_TIMEOUT_MS = 15 * MINUTE
const STEP_MS = 14 * MINUTE
const STEPS = ['extract', 'transform', 'load']

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }))
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment())

describe('three 14-minute steps in a 15-minute function', () => {
  it('without the budget check, steps 2 and 3 start late, are killed and run twice', async () => {
    const ledger = newLedger()
    const handler = withDurableExecution(async (_event: unknown, context: DurableContext) => {
      for (const name of STEPS) {
        await context.step(name, () => work(context, name, STEP_MS, ledger), { retryStrategy: reinvokedAfterTimeout })
      }
      return 'ok'
    })
    const runner = new LocalDurableTestRunner({ handlerFunction: withFunctionTimeout(handler, FUNCTION_TIMEOUT_MS, ledger) })
    const execution = await runner.run({ payload: {} })

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(ledger.started).toEqual({ extract: 1, transform: 2, load: 2 })
    expect(ledger.finished).toEqual({ extract: 1, transform: 1, load: 1 })
    expect(ledger.killed).toBe(2)
    // each late start had about a minute left for 14 minutes of work
    expect(ledger.starts.filter((s) => s.leftMs < STEP_MS).map((s) => s.name)).toEqual(['transform', 'load'])
    expect(runner.getOperation('transform').getStepDetails()?.attempt).toBe(2)
  })

  it('with stepWithinBudget, each step runs exactly once, at the start of a fresh invocation', async () => {
    const ledger = newLedger()
    const handler = withDurableExecution(async (_event: unknown, context: DurableContext) => {
      for (const name of STEPS) {
        await stepWithinBudget(context, name, () => work(context, name, STEP_MS, ledger), {
          expectedMs: STEP_MS,
          step: { retryStrategy: reinvokedAfterTimeout },
        })
      }
      return 'ok'
    })
    const runner = new LocalDurableTestRunner({ handlerFunction: withFunctionTimeout(handler, FUNCTION_TIMEOUT_MS, ledger) })
    const execution = await runner.run({ payload: {} })

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(execution.getResult()).toBe('ok')
    expect(ledger.started).toEqual({ extract: 1, transform: 1, load: 1 })
    expect(ledger.killed).toBe(0)
    expect(ledger.invocations).toBe(3)
    expect(ledger.starts.every((s) => s.leftMs >= STEP_MS)).toBe(true)
    // the first step fitted; the other two yielded with a wait that outlasts the old invocation
    expect(runner.getOperation('extract:budget').getStepDetails()?.result).toMatchObject({ decision: 'run' })
    expect(runner.getOperation('transform:budget').getStepDetails()?.result).toMatchObject({ decision: 'yield', waitSeconds: 60 })
    expect(runner.getOperation('transform:yield').getWaitDetails()?.waitSeconds).toBe(60)
    expect(runner.getOperation('load:budget').getStepDetails()?.result).toMatchObject({ decision: 'yield' })
    expect(runner.getOperation('load').getStepDetails()?.attempt).toBe(1)
  })

  it('runs the step at once when it fits, with no extra wait', async () => {
    const ledger = newLedger()
    const handler = withDurableExecution(async (_event: unknown, context: DurableContext) =>
      stepWithinBudget(context, 'quick', () => work(context, 'quick', 5 * MINUTE, ledger), { expectedMs: 5 * MINUTE }),
    )
    const runner = new LocalDurableTestRunner({ handlerFunction: withFunctionTimeout(handler, FUNCTION_TIMEOUT_MS, ledger) })
    const execution = await runner.run({ payload: {} })
    expect(execution.getResult()).toBe('quick done')
    expect(execution.getOperations().map((o) => o.getName())).toEqual(['quick:budget', 'quick'])
    expect(ledger.invocations).toBe(1)
  })

  it('works the same inside a Middy 7 durable-mode chain with remainingTimeBudget()', async () => {
    const stderr = captureStderr()
    const ledger = newLedger()
    const handler = middy(
      async (_event: unknown, context: DurableContext) => {
        for (const name of STEPS) {
          await stepWithinBudget(context, name, () => work(context, name, STEP_MS, ledger), {
            expectedMs: STEP_MS,
            step: { retryStrategy: reinvokedAfterTimeout },
          })
        }
        return 'ok'
      },
      { executionMode: executionModeDurableContext },
    ).use(remainingTimeBudget())
    const runner = new LocalDurableTestRunner({ handlerFunction: withFunctionTimeout(handler as never, FUNCTION_TIMEOUT_MS, ledger) })
    // The shared deadline reads the remaining time once and then measures on performance.now():
    // the model's simulated work must move that clock too, as real work would.
    const monotonic = performance.now.bind(performance)
    performance.now = () => monotonic() + ledger.workedMs
    const execution = await runner.run({ payload: {} }).finally(() => {
      performance.now = monotonic
    })
    const logged = stderr.chunks.join('')
    // Middy's durable mode does not copy getRemainingTimeInMillis onto the durable context; the
    // shared deadline reads it from context.lambdaContext, so it runs instead of degrading.
    expect(logged).not.toContain('getRemainingTimeInMillis')
    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(ledger.started).toEqual({ extract: 1, transform: 1, load: 1 })
    expect(ledger.killed).toBe(0)
  })
})
