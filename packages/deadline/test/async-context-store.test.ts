import { AsyncLocalStorage } from 'node:async_hooks'
import middy from '@middy/core'
import { currentDeadline, type Deadline, type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { deadlineOf, isolated } from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// Where the deadline lives (current.ts) for what invoke-store-single.test.ts does not cover: how
// MIDDY_DEADLINE_ASYNC_CONTEXT is read, stores of other shapes, and `isolated` (used by the batch
// handler without Middy and by the testing package's invokeWithTimeout).
afterEach(() => {
  delete (globalThis as { awslambda?: unknown }).awslambda
  delete process.env.MIDDY_DEADLINE_ASYNC_CONTEXT
})

const KEY = Symbol.for('@middy-deadline/deadline.current')
const asyncContextFrame = typeof (AsyncLocalStorage.prototype as { _enable?: unknown })._enable !== 'function'
// What `auto` means: the runtime's store where our own AsyncLocalStorage would tax every promise (Node 22).
const autoUsesRuntimeStore = !asyncContextFrame

/** A runtime store of one invocation at a time, fresh for each test (the choice is made once per store object). */
function installStore(extra: Record<string, unknown> = {}) {
  const current: Record<symbol, unknown> = {}
  const store = { getContext: () => current, ...extra }
  ;(globalThis as { awslambda?: unknown }).awslambda = { InvokeStore: store }
  return { store, current }
}

/** Runs one invocation; says whether its deadline was found by currentDeadline() and whether it sat in the runtime's store. */
async function invoke(current?: Record<symbol, unknown>) {
  let inRuntimeStore = false
  const handler = middy(
    async (_e: unknown, ctx: DeadlineContext) => {
      inRuntimeStore = current?.[KEY] === ctx.deadline
      await new Promise((resolve) => setTimeout(resolve, 1))
      return currentDeadline() === ctx.deadline
    },
    { timeoutEarlyInMillis: 0 },
  ).use(deadline())
  const found = await handler({}, createLambdaContext<DeadlineContext>())
  return { found, inRuntimeStore }
}

describe('MIDDY_DEADLINE_ASYNC_CONTEXT', () => {
  it('left unset or empty means auto, without a warning', { retry: 0 }, async () => {
    const stderr = captureStderr()
    for (const value of [undefined, '']) {
      if (value === undefined) delete process.env.MIDDY_DEADLINE_ASYNC_CONTEXT
      else process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = value
      const { current } = installStore()
      expect(await invoke(current)).toEqual({ found: true, inRuntimeStore: autoUsesRuntimeStore })
    }
    expect(stderr.chunks).toEqual([])
  })

  it('an unknown value is read as auto, and the warning shows its first 40 characters', async () => {
    const stderr = captureStderr()
    process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = `own${'!'.repeat(60)}`
    const { current } = installStore()
    expect(await invoke(current)).toEqual({ found: true, inRuntimeStore: autoUsesRuntimeStore })
    expect(stderr.lines()).toEqual([expect.objectContaining({ value: `own${'!'.repeat(37)}` })])
  })

  it('is read once per runtime store: changing it later changes nothing for that store', async () => {
    process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = 'runtime'
    const { current } = installStore()
    expect(await invoke(current)).toEqual({ found: true, inRuntimeStore: true })
    process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = 'own'
    expect(await invoke(current)).toEqual({ found: true, inRuntimeStore: true })
  })
})

describe('runtime stores of other shapes', () => {
  it('the multi-concurrency store (it has its own AsyncLocalStorage) is used whatever the setting says', async () => {
    process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = 'own'
    const { current } = installStore({ als: new AsyncLocalStorage() })
    expect(await invoke(current)).toEqual({ found: true, inRuntimeStore: true })
  })

  it('a store without getContext, or whose getContext gives null, leaves the deadline to our own store', async () => {
    process.env.MIDDY_DEADLINE_ASYNC_CONTEXT = 'runtime'
    ;(globalThis as { awslambda?: unknown }).awslambda = { InvokeStore: { als: new AsyncLocalStorage() } }
    expect(await invoke()).toEqual({ found: true, inRuntimeStore: false })
    ;(globalThis as { awslambda?: unknown }).awslambda = { InvokeStore: { getContext: () => null } }
    expect(await invoke()).toEqual({ found: true, inRuntimeStore: false })
  })
})

describe('auto, by what the Node version offers', () => {
  // What Node offers is read through process.getBuiltinModule: standing in for it shows, on any
  // Node, what `auto` does on the others.
  const realGetBuiltinModule = process.getBuiltinModule
  const asyncHooks = realGetBuiltinModule('node:async_hooks')
  const offering = (hooks: unknown) => {
    ;(process as { getBuiltinModule: unknown }).getBuiltinModule = (id: string) =>
      id === 'node:async_hooks' ? hooks : realGetBuiltinModule(id)
  }
  afterEach(() => {
    process.getBuiltinModule = realGetBuiltinModule
  })

  it('keeps deadlines in our own store where AsyncLocalStorage runs on AsyncContextFrame (no `_enable`: Node 24)', async () => {
    class FrameStorage<T> extends asyncHooks.AsyncLocalStorage<T> {}
    Object.defineProperty(FrameStorage.prototype, '_enable', { value: undefined })
    offering({ ...asyncHooks, AsyncLocalStorage: FrameStorage })
    const { current } = installStore()
    expect(await invoke(current)).toEqual({ found: true, inRuntimeStore: false })
  })

  it("keeps them in the runtime's store where it runs on async_hooks (Node 22), and where Node cannot say (before 22.3)", async () => {
    class HookStorage<T> extends asyncHooks.AsyncLocalStorage<T> {
      _enable() {}
    }
    offering({ ...asyncHooks, AsyncLocalStorage: HookStorage })
    expect(await invoke(installStore().current)).toEqual({ found: true, inRuntimeStore: true })
    offering(undefined)
    expect(await invoke(installStore().current)).toEqual({ found: true, inRuntimeStore: true })
    ;(process as { getBuiltinModule: unknown }).getBuiltinModule = undefined
    expect(await invoke(installStore().current)).toEqual({ found: true, inRuntimeStore: true })
  })
})

describe('isolated', () => {
  it("shows no deadline of the caller's inside, and lets none entered inside out", async () => {
    captureStderr()
    let caller: Deadline | undefined
    let inside: { seen: Deadline | undefined; own: Deadline | undefined } | undefined
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => {
      caller = ctx.deadline
      inside = await isolated(async () => {
        const seen = currentDeadline()
        const own = deadlineOf({ context: createLambdaContext() })
        await new Promise((resolve) => setTimeout(resolve, 1))
        return { seen, own: currentDeadline() === own ? own : undefined }
      })
      return currentDeadline() === ctx.deadline
    }).use(deadline())
    expect(await handler({}, createLambdaContext<DeadlineContext>())).toBe(true)
    expect(caller).toBeDefined()
    expect(inside?.seen).toBeUndefined()
    expect(inside?.own).toBeDefined()
    inside?.own?.end()
    // Outside any invocation as well: what is entered inside stays there.
    expect(isolated(() => currentDeadline())).toBeUndefined()
    const entered = isolated(() => deadlineOf({ context: createLambdaContext() }))
    expect(currentDeadline()).toBeUndefined()
    entered.end()
  })

  it('returns what the function returns', () => {
    expect(isolated(() => 42)).toBe(42)
  })
})
