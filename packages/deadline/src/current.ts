import { AsyncLocalStorage } from 'node:async_hooks'
import type { Deadline } from './deadline.js'

/**
 * Where code without a `context` finds the current invocation's deadline.
 *
 * Lambda's runtime (aws-lambda-ric 4, nodejs22.x/24.x) already runs every invocation inside its
 * own per-invocation store, `globalThis.awslambda.InvokeStore`: a plain variable with one
 * invocation at a time, an AsyncLocalStorage in multi-concurrency mode. Storing our deadline
 * there costs nothing extra. Elsewhere (tests, other hosts) we fall back to an AsyncLocalStorage
 * of our own, created on first use because enabling one taxes every promise on Node 22.
 *
 * Both live under Symbol.for keys so that two copies of this package in one bundle still agree.
 */
const STORE_KEY = Symbol.for('@middy-deadline/deadline.current')
const FALLBACK_KEY = Symbol.for('@middy-deadline/deadline.asyncLocalStorage')

interface InvokeStoreLike {
  hasContext(): boolean
  get(key: symbol): unknown
  set(key: symbol, value: unknown): void
}

type Globals = typeof globalThis & {
  awslambda?: { InvokeStore?: InvokeStoreLike }
  [FALLBACK_KEY]?: AsyncLocalStorage<Deadline>
}
const globals = globalThis as Globals

function runtimeStore(): InvokeStoreLike | undefined {
  const store = globals.awslambda?.InvokeStore
  return store?.hasContext() ? store : undefined
}

/** Makes `deadline` the current one for the rest of this invocation's async flow. */
export function enterDeadline(deadline: Deadline): void {
  const store = runtimeStore()
  if (store !== undefined) {
    store.set(STORE_KEY, deadline)
    return
  }
  // enterWith, not run(): Middy calls our `before` and then the handler from the same async
  // function, and a middleware cannot wrap what comes after it in a callback.
  globals[FALLBACK_KEY] ??= new AsyncLocalStorage<Deadline>()
  globals[FALLBACK_KEY].enterWith(deadline)
}

/**
 * The deadline of the invocation this code runs in, or `undefined` outside any invocation (or
 * once it has ended: a deadline never outlives its invocation, even where the async context
 * would still carry it, as in code scheduled by a previous invocation).
 */
export function currentDeadline(): Deadline | undefined {
  const deadline = storedDeadline()
  return deadline === undefined || deadline.ended ? undefined : deadline
}

/** The deadline stored for this async flow, ended or not (the plugin still times the last `after`). */
export function storedDeadline(): Deadline | undefined {
  return (runtimeStore()?.get(STORE_KEY) ?? globals[FALLBACK_KEY]?.getStore()) as Deadline | undefined
}
