import middy from '@middy/core'
import { currentDeadline, type Deadline, type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterAll, describe, expect, it } from 'vitest'

afterAll(() => {
  delete (globalThis as { awslambda?: unknown }).awslambda
})

// Lambda's default: one invocation at a time, and the runtime's store is a plain variable that
// `run()` replaces with each invocation's own object (and never clears in between).
describe("currentDeadline() with Lambda's store in single-concurrency mode", () => {
  it('finds each invocation its own deadline, and none once it has ended', async () => {
    delete process.env.AWS_LAMBDA_MAX_CONCURRENCY
    const { InvokeStore } = await import('@aws/lambda-invoke-store')
    const store = await InvokeStore.getInstanceAsync()
    const key = Symbol.for('@middy-deadline/deadline.current')
    const seenByPlugin: (Deadline | undefined)[] = []
    const plugin = deadlinePlugin()
    const handler = middy(
      async (_e: unknown, ctx: DeadlineContext) => {
        await new Promise((resolve) => setTimeout(resolve, 1))
        return store.get(key) === ctx.deadline && currentDeadline() === ctx.deadline
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
      results.push(
        await store.run({ [Symbol.for('_AWS_LAMBDA_REQUEST_ID')]: id }, () =>
          handler({}, createLambdaContext<DeadlineContext>({ awsRequestId: id })),
        ),
      )
      // Between invocations the runtime's store still holds the last one's object.
      expect(store.hasContext()).toBe(true)
      expect(currentDeadline()).toBeUndefined()
    }
    expect(results).toEqual([true, true, true])
    expect(seenByPlugin).toEqual([undefined, undefined, undefined])
  })
})

describe('currentDeadline() when the runtime store will not take our key', () => {
  it('keeps the invocation running and finds the deadline through its own store', async () => {
    const frozen = Object.freeze({})
    ;(globalThis as { awslambda?: unknown }).awslambda = { InvokeStore: { getContext: () => frozen } }
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => currentDeadline() === ctx.deadline, { timeoutEarlyInMillis: 0 }).use(
      deadline(),
    )
    await expect(handler({}, createLambdaContext<DeadlineContext>())).resolves.toBe(true)
    delete (globalThis as { awslambda?: unknown }).awslambda
  })
})
