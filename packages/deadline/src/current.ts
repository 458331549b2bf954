import type { AsyncLocalStorage } from 'node:async_hooks'
import type { Deadline } from './deadline.js'
import { PACKAGE } from './name.js'
import { warnOnce } from './warn-once.js'

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
  /** The invocation's own store object; `undefined` outside an invocation. */
  getContext?(): Record<symbol, unknown> | undefined
}

type Globals = typeof globalThis & {
  awslambda?: { InvokeStore?: InvokeStoreLike }
  [FALLBACK_KEY]?: AsyncLocalStorage<Deadline>
}
const globals = globalThis as Globals

// Our key is ours alone, so we write it on the invocation's store object ourselves: the store's own
// `set()` first checks the key against its protected ones by building an array on every call
// (`Object.values(...).includes`), 11 % of the `deadline` chain's profile on Lambda's path.
const runtimeStore = () => globals.awslambda?.InvokeStore?.getContext?.()

/** Makes `deadline` the current one for the rest of this invocation's async flow. */
export function enterDeadline(deadline: Deadline): void {
  const store = runtimeStore()
  // Reflect.set, not `=`: should a runtime ever hand out a frozen object, the assignment would
  // throw into the invocation; this way the deadline goes to our own store below instead.
  if (typeof store === 'object' && store !== null && Reflect.set(store, STORE_KEY, deadline)) return
  let fallback = globals[FALLBACK_KEY]
  if (fallback === undefined) {
    // node:async_hooks is loaded here, on first use, not imported: on Lambda (the runtime's store
    // above) it is never needed, and importing it is a good part of this package's import time on
    // Node 22. `process.getBuiltinModule` exists from Node 22.3; before it, only `currentDeadline()`
    // outside Lambda's runtime is lost (with one warning), never the invocation.
    const asyncHooks = process.getBuiltinModule?.('node:async_hooks')
    if (asyncHooks === undefined) {
      warnOnce('current:node', PACKAGE, 'currentDeadline() needs Node >= 22.3 outside Lambda')
      return
    }
    fallback = globals[FALLBACK_KEY] = new asyncHooks.AsyncLocalStorage<Deadline>()
  }
  // enterWith, not run(): Middy calls our `before` and then the handler from the same async
  // function, and a middleware cannot wrap what comes after it in a callback.
  fallback.enterWith(deadline)
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
  return (runtimeStore()?.[STORE_KEY] ?? globals[FALLBACK_KEY]?.getStore()) as Deadline | undefined
}
