import { AsyncLocalStorage } from 'node:async_hooks'
import middy from '@middy/core'
import { currentDeadline, type Deadline, type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

afterEach(() => {
  delete (globalThis as { awslambda?: unknown }).awslambda
  delete process.env.MIDDY_DEADLINE_ASYNC_CONTEXT
})

const KEY = Symbol.for('@middy-deadline/deadline.current')
const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID')

/**
 * Lambda's default: one invocation at a time, and the runtime's store is a plain variable that
 * `run()` replaces with each invocation's own object and never clears in between (what
 * `@aws/lambda-invoke-store`'s InvokeStoreSingle does). A fresh one per test: the deadline decides
 * where it lives once per store.
 */
function installSingleStore() {
  let current: Record<symbol, unknown> | undefined
  const store = {
    getContext: () => current,
    get: (key: symbol) => current?.[key],
    run<T>(context: Record<symbol, unknown>, fn: () => T): T {
      current = context
      return fn()
    },
  }
  ;(globalThis as { awslambda?: unknown }).awslambda = { InvokeStore: store }
  return store
}

const asyncContextFrame = typeof (AsyncLocalStorage.prototype as { _enable?: unknown })._enable !== 'function'

describe.each([
  ['auto', !asyncContextFrame],
  ['own', false],
  ['runtime', true],
] as const)("currentDeadline() with Lambda's one-at-a-time store, MIDDY_DEADLINE_ASYNC_CONTEXT=%s", (setting, inRuntimeStore) => {
  it(`finds each invocation its own deadline (kept in ${inRuntimeStore ? "the runtime's store" : 'our own async context'}), and none once it has ended`, async () => {
    process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = setting
    const store = installSingleStore()
    const seenByPlugin: (Deadline | undefined)[] = []
    const plugin = deadlinePlugin()
    const handler = middy(
      async (_e: unknown, ctx: DeadlineContext) => {
        await new Promise((resolve) => setTimeout(resolve, 1))
        return currentDeadline() === ctx.deadline && (store.get(KEY) === ctx.deadline) === inRuntimeStore
      },
      {
        ...plugin,
        timeoutEarlyInMillis: 0,
        requestStart(request) {
          // Before this invocation's deadline exists, the previous one's must not show through.
          seenByPlugin.push(currentDeadline())
          plugin.requestStart(request)
        },
      },
    ).use(deadline())
    const results: boolean[] = []
    for (const id of ['a', 'b', 'c']) {
      results.push(await store.run({ [REQUEST_ID]: id }, () => handler({}, createLambdaContext<DeadlineContext>({ awsRequestId: id }))))
      expect(currentDeadline()).toBeUndefined()
    }
    expect(results).toEqual([true, true, true])
    expect(seenByPlugin).toEqual([undefined, undefined, undefined])
  })

  it(`work left behind by one invocation and run during the next finds ${inRuntimeStore ? "the next one's deadline (the documented limit of the runtime's store)" : 'no deadline'}`, async () => {
    process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = setting
    const store = installSingleStore()
    // A dangling promise of invocation N, let go by N+1 and awaited there: it runs during N+1 for
    // sure (a timer of N's could fire before N+1 starts, or before N ends, on a loaded machine).
    let letGo = () => {}
    const gate = new Promise<void>((resolve) => {
      letGo = resolve
    })
    let leftBehind: Promise<string | undefined> | undefined
    const handler = middy(
      async (event: { leave: boolean }) => {
        if (event.leave) leftBehind = gate.then(() => currentDeadline()?.requestId)
        else {
          letGo()
          await leftBehind
        }
      },
      { timeoutEarlyInMillis: 0 },
    ).use(deadline())
    await store.run({ [REQUEST_ID]: 'n' }, () => handler({ leave: true }, createLambdaContext({ awsRequestId: 'n' })))
    await store.run({ [REQUEST_ID]: 'n+1' }, () => handler({ leave: false }, createLambdaContext({ awsRequestId: 'n+1' })))
    expect(await leftBehind).toBe(inRuntimeStore ? 'n+1' : undefined)
  })
})

describe('MIDDY_DEADLINE_ASYNC_CONTEXT', () => {
  it('says once that an unknown value is read as auto', async () => {
    process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = 'yes please'
    const store = installSingleStore()
    const stderr = captureStderr()
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => currentDeadline() === ctx.deadline, {
      timeoutEarlyInMillis: 0,
    }).use(deadline())
    for (const id of ['a', 'b']) {
      expect(await store.run({ [REQUEST_ID]: id }, () => handler({}, createLambdaContext<DeadlineContext>({ awsRequestId: id })))).toBe(
        true,
      )
    }
    expect(stderr.lines()).toEqual([
      expect.objectContaining({
        message: 'MIDDY_DEADLINE_ASYNC_CONTEXT must be one of auto, own, runtime; using auto',
        value: 'yes please',
      }),
    ])
  })
})

describe('currentDeadline() when the runtime store will not take our key', () => {
  it('keeps the invocation running and finds the deadline through its own store', async () => {
    process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = 'runtime'
    const frozen = Object.freeze({})
    ;(globalThis as { awslambda?: unknown }).awslambda = { InvokeStore: { getContext: () => frozen } }
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => currentDeadline() === ctx.deadline, { timeoutEarlyInMillis: 0 }).use(
      deadline(),
    )
    await expect(handler({}, createLambdaContext<DeadlineContext>())).resolves.toBe(true)
  })
})
