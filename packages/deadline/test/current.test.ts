import middy from '@middy/core'
import { currentDeadline, type Deadline, type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// Code far from the handler: a repository class that has no context at hand.
class Repository {
  async load() {
    await new Promise((resolve) => setTimeout(resolve, 5))
    return currentDeadline()
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('currentDeadline()', () => {
  it('reaches the handler and the code it awaits, through timers and promises', async () => {
    const repository = new Repository()
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => {
      const direct = currentDeadline()
      const nested = await repository.load()
      const viaTimer = await new Promise<Deadline | undefined>((resolve) => setTimeout(() => resolve(currentDeadline()), 1))
      return { same: [direct, nested, viaTimer].every((d) => d === ctx.deadline) }
    }).use(deadline())
    expect(await handler({}, createLambdaContext<DeadlineContext>())).toEqual({ same: true })
  })

  it('is undefined outside any invocation and once the invocation has ended', async () => {
    expect(currentDeadline()).toBeUndefined()
    let later: Promise<Deadline | undefined> | undefined
    let responded = () => {}
    const response = new Promise<void>((resolve) => {
      responded = resolve
    })
    const handler = middy(async () => {
      // Work the handler leaves behind runs after the response, as it would after a thaw: a timer
      // it arms once the response is out (not a guess at how long Middy's `after` takes).
      later = response.then(() => new Promise((resolve) => setTimeout(() => resolve(currentDeadline()), 0)))
      return 'done'
    }).use(deadline())
    await handler({}, createLambdaContext<DeadlineContext>())
    responded()
    expect(await later).toBeUndefined()
  })

  it('never shows one invocation the deadline of another, even when their work interleaves', async () => {
    const handler = middy(async (event: { id: string; waitMs: number }, ctx: DeadlineContext) => {
      const seen: boolean[] = []
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, event.waitMs))
        await tick()
        seen.push(currentDeadline() === ctx.deadline && ctx.deadline.requestId === event.id)
      }
      return seen.every(Boolean)
    }).use(deadline())
    const results = await Promise.all(
      [3, 1, 2, 1, 3].map((waitMs, i) => handler({ id: `r${i}`, waitMs }, createLambdaContext<DeadlineContext>({ awsRequestId: `r${i}` }))),
    )
    expect(results).toEqual([true, true, true, true, true])
  })

  it("uses Lambda's own per-invocation store when the runtime provides one", async () => {
    process.env.AWS_LAMBDA_MAX_CONCURRENCY = '4'
    const { InvokeStore } = await import('@aws/lambda-invoke-store')
    const store = await InvokeStore.getInstanceAsync()
    try {
      const handler = middy(async (_e: unknown, ctx: DeadlineContext) => {
        await new Promise((resolve) => setTimeout(resolve, 2))
        const key = Symbol.for('@middy-deadline/deadline.current')
        return store.get(key) === ctx.deadline && currentDeadline() === ctx.deadline
      }).use(deadline())
      // This is what aws-lambda-ric does around every invocation.
      const results = await Promise.all(
        ['a', 'b', 'c'].map((id) =>
          store.run({ [Symbol.for('_AWS_LAMBDA_REQUEST_ID')]: id }, () =>
            handler({}, createLambdaContext<DeadlineContext>({ awsRequestId: id })),
          ),
        ),
      )
      expect(results).toEqual([true, true, true])
    } finally {
      delete (globalThis as { awslambda?: unknown }).awslambda
      delete process.env.AWS_LAMBDA_MAX_CONCURRENCY
    }
  })

  it('keeps the invocation working where Node has no process.getBuiltinModule (before 22.3), without currentDeadline()', async () => {
    const fallbackKey = Symbol.for('@middy-deadline/deadline.asyncLocalStorage')
    const globals = globalThis as { [fallbackKey]?: unknown }
    const fallback = globals[fallbackKey]
    const getBuiltinModule = process.getBuiltinModule
    const stderr = captureStderr()
    delete globals[fallbackKey]
    Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true, writable: true })
    try {
      const handler = middy(async (_e: unknown, ctx: DeadlineContext) => ({
        status: ctx.deadline.status,
        current: currentDeadline(),
      })).use(deadline())
      const first = await handler({}, createLambdaContext<DeadlineContext>())
      const second = await handler({}, createLambdaContext<DeadlineContext>())
      expect([first, second]).toEqual([
        { status: 'running', current: undefined },
        { status: 'running', current: undefined },
      ])
      expect(stderr.lines().map((line) => line.message)).toEqual(['currentDeadline() needs Node >= 22.3 outside Lambda'])
    } finally {
      Object.defineProperty(process, 'getBuiltinModule', { value: getBuiltinModule, configurable: true, writable: true })
      globals[fallbackKey] = fallback
    }
  })
})
