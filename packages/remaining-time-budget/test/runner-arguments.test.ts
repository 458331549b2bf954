import { budgetRunner, ContinuationError, runWithinBudget } from '@middy-deadline/remaining-time-budget'
import { invocationHasTimeFor, stepWithinBudget } from '@middy-deadline/remaining-time-budget/durable'
import { describe, expect, it, vi } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

const PACKAGE = '@middy-deadline/remaining-time-budget'
describe('a run outside any invocation', () => {
  it('says once that there is no deadline, and runs every item without a time budget', async () => {
    const stderr = captureStderr()
    const first = await runWithinBudget([1, 2], async (n) => n * 2)
    await runWithinBudget([3], async (n) => n)
    expect(first).toMatchObject({ complete: true, rest: [], cursor: undefined, stoppedBy: undefined, continued: false })
    expect(stderr.lines()).toEqual([
      {
        level: 'WARN',
        package: PACKAGE,
        message: 'no deadline found (no middleware of ours, no `deadline` option): items run without a time budget',
      },
    ])
  })

  it('refuses items that are not an array, saying what they were', async () => {
    await expect(runWithinBudget('abc' as never, async () => {})).rejects.toThrow(
      `${PACKAGE}: the items to run is a string, not an array: nothing was run`,
    )
    await expect(runWithinBudget(null as never, async () => {})).rejects.toThrow(`${PACKAGE}: the items to run is null, not an array`)
  })
})

describe('continueWith', () => {
  it('is not called when every item is done: there is nothing to hand on', async () => {
    const continueWith = vi.fn()
    const run = await runWithinBudget([1, 2], async () => {}, { continueWith })
    expect(continueWith).not.toHaveBeenCalled()
    expect(run.continued).toBe(false)
  })

  it('failing, fails the run with how many items were neither done nor handed on', async () => {
    const controller = new AbortController()
    controller.abort()
    const failing = runWithinBudget([1, 2], async () => {}, {
      signal: controller.signal,
      continueWith: () => {
        throw new Error('queue full')
      },
    })
    await expect(failing).rejects.toThrow(ContinuationError)
    await expect(failing).rejects.toThrow(`${PACKAGE}: continueWith failed; 2 item(s) were neither done nor handed on`)
  })
})

describe('arguments are checked on every call, naming the one refused', () => {
  it("by a runner's call as by runWithinBudget", () => {
    const run = budgetRunner()
    expect(() => run([1], async () => {}, { signal: 'soon' as never })).toThrow(`${PACKAGE}: option \`signal\` must be an AbortSignal`)
    expect(() => run([1], 'not a function' as never)).toThrow(`${PACKAGE}: option \`fn\``)
  })

  it('by the durable helpers', async () => {
    const context = { step: async () => ({}), wait: async () => {}, lambdaContext: { getRemainingTimeInMillis: () => 60_000 } }
    await expect(stepWithinBudget({} as never, 'charge', async () => 1, { expectedMs: 10 })).rejects.toThrow(
      `${PACKAGE}: option \`context.step\` must be a function`,
    )
    await expect(stepWithinBudget(context as never, 7 as never, async () => 1, { expectedMs: 10 })).rejects.toThrow(
      `${PACKAGE}: option \`name\``,
    )
    await expect(stepWithinBudget(context as never, 'charge', 'x' as never, { expectedMs: 10 })).rejects.toThrow(
      `${PACKAGE}: option \`fn\``,
    )
    expect(() => invocationHasTimeFor(null as never, 10)).toThrow(`${PACKAGE}: option \`context\``)
    expect(() => invocationHasTimeFor(context as never, -1)).toThrow(`${PACKAGE}: option \`ms\``)
    expect(() => invocationHasTimeFor(context as never, 10, -1)).toThrow(`${PACKAGE}: option \`reserveMs\``)
  })
})
