import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing'
import { currentDeadline } from '@middy-deadline/deadline'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Captured, captureStdout } from '../../packages/graceful-timeout/test/capture.js'
import { newLedger, withFunctionTimeout } from '../../packages/remaining-time-budget/test/durable-model.js'
import { runBlock } from './run.ts'

// The durable recipe of docs/recipes.md, on the durable SDK's local test runner (its own file: the
// runner fakes the timers of the process), with the model of a per-invocation timeout of
// packages/remaining-time-budget/test/durable-model.ts.

let stdout: Captured
beforeEach(() => {
  stdout = captureStdout()
})
afterEach(() => stdout.restore())
const timingRecords = () => stdout.lines().filter((line) => typeof line.timingSource === 'string')

describe('A durable function', () => {
  beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }))
  afterAll(() => LocalDurableTestRunner.teardownTestEnvironment())

  it('runs three 14-minute steps in a 15-minute function, each once and none killed; the invocation that completes writes the one timing record', async () => {
    const STEP_MS = 14 * 60_000
    const ledger = newLedger()
    // The steps' work moves a model clock (durable-model.ts): 14 minutes in no time. A step that
    // would run past the invocation's hard deadline counts as killed.
    const work = (name: string) => async () => {
      ledger.started[name] = (ledger.started[name] ?? 0) + 1
      const left = currentDeadline()?.remainingToHardDeadline() ?? 0
      if (STEP_MS > left) ledger.killed++
      ledger.workedMs += STEP_MS
      return [name]
    }
    const { handler } = await runBlock('docs/recipes.md', 'recipe-durable', {
      extract: work('extract'),
      transform: async (raw) => (await work('transform')()).concat(raw).map((id) => ({ id })),
      load: async () => void (await work('load')()),
    })
    const runner = new LocalDurableTestRunner({ handlerFunction: withFunctionTimeout(handler as never, 15 * 60_000, ledger) })
    const monotonic = performance.now.bind(performance)
    performance.now = () => monotonic() + ledger.workedMs
    const execution = await runner.run({ payload: { source: 's3://bucket/input' } }).finally(() => {
      performance.now = monotonic
    })
    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(ledger.started).toEqual({ extract: 1, transform: 1, load: 1 })
    expect(ledger.killed).toBe(0)
    expect(ledger.invocations).toBe(3)
    // The two invocations that yielded ended on a durable wait: the SDK left their chains suspended.
    expect(timingRecords()).toEqual([expect.objectContaining({ outcome: 'success' })])
  })
})
