import { createHook } from 'node:async_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import middy from '@middy/core'
import { type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'

setFlagsFromString('--expose-gc')
export const gc = runInNewContext('gc') as () => void

/**
 * Follows the timers armed from now on (`async_hooks`: created, then cleared or fired) until `left()`
 * says how many are still armed, unreferenced ones included. Not a count of
 * `process.getActiveResourcesInfo()` against the one at the start: vitest's own task-update timer
 * (armed as each test starts, fired 100 ms later) was in that count and gone at the end, so one
 * timer left armed by the code passed unseen (docs/testing-the-library.md, "Time in tests").
 */
function followTimers(): { left(): Promise<number> } {
  const armed = new Set<number>()
  const hook = createHook({
    init(asyncId, type) {
      if (type === 'Timeout') armed.add(asyncId)
    },
    destroy(asyncId) {
      armed.delete(asyncId)
    },
  }).enable()
  return {
    async left() {
      // Node reports a cleared or fired timer's end from a queue it empties on the next turn.
      await new Promise((resolve) => setImmediate(resolve))
      hook.disable()
      return armed.size
    },
  }
}

/**
 * Invokes one chain `invocations` times, in turn on its three paths (an answer, an error, an early
 * response from a `before`), each arming what the deadline can arm: the cutoff timer (through the
 * signal), a listener on the signal, a cutoff listener and a sub-operation scope. Says how each
 * ended, how many timers are left, and which of the sampled deadlines the garbage collector could
 * not take (anything still holding a listener, a timer or a scope of a past invocation keeps its
 * deadline alive).
 */
export async function invokeOnMixedPaths(
  invocations: number,
  sampleEvery: number,
  afterEach?: (index: number) => void,
  // Following timers makes every promise slower on Node 22 (the hook sees them too): 100,000
  // invocations took 22 s instead of 15 s, past the test's limit. A timer left armed is left on
  // every invocation of its path, so the last few thousand show it as well as all of them.
  followTimersFrom = 0,
) {
  const cacheHit = { before: (request: { event: { path: string } }) => (request.event.path === 'early' ? 'cached' : undefined) }
  const handler = middy(
    async (event: { path: string }, ctx: DeadlineContext) => {
      ctx.deadline.signal.addEventListener('abort', () => {})
      ctx.deadline.onCutoff(() => {})
      const op = ctx.deadline.timeout(1000)
      ctx.deadline.mark('work')
      if (event.path === 'error') throw new Error('failed')
      return op.aborted
    },
    { ...deadlinePlugin(), timeoutEarlyInMillis: 0 },
  )
    .use(deadline({ reserveMs: 100 }))
    .use(cacheHit)

  const paths = ['ok', 'error', 'early']
  let timers = followTimersFrom === 0 ? followTimers() : undefined
  const outcomes = new Map<unknown, number>()
  const sampled: WeakRef<object>[] = []
  for (let i = 0; i < invocations; i++) {
    if (i === followTimersFrom) timers ??= followTimers()
    const context = createLambdaContext<DeadlineContext>({ timeoutMs: 60_000 })
    const outcome = await handler({ path: paths[i % 3] as string }, context).catch((error: Error) => error.message)
    if (i % sampleEvery === 0) sampled.push(new WeakRef((context as DeadlineContext).deadline))
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    afterEach?.(i)
  }
  const timersLeft = await (timers as ReturnType<typeof followTimers>).left()
  gc()
  // The first invocation is called before the caller's first await, so (without Lambda's own
  // store) AsyncLocalStorage.enterWith leaves its ended deadline on the caller's async context, as
  // it would on any caller's. That is one object, not a growing list.
  const alive = sampled.flatMap((ref, i) => (ref.deref() === undefined || i === 0 ? [] : [i * sampleEvery]))
  return { outcomes: Object.fromEntries(outcomes), timersLeft, alive }
}
