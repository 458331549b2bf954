import type { AsyncLocalStorage } from 'node:async_hooks'
import type { Deadline } from './deadline.js'
import { PACKAGE } from './name.js'
import { warnOnce } from './warn-once.js'

/**
 * Where code without a `context` finds the current invocation's deadline.
 *
 * Lambda's runtime (aws-lambda-ric 4, nodejs22.x/24.x) runs every invocation inside its own
 * per-invocation store, `globalThis.awslambda.InvokeStore`: an AsyncLocalStorage in
 * multi-concurrency mode, but a plain variable in the usual one-at-a-time mode, where work left
 * behind by one invocation (a timer, a dangling promise) would find the next one's. So the deadline
 * goes to:
 * - the runtime's store in multi-concurrency mode (free, and already per invocation);
 * - an AsyncLocalStorage of our own in one-at-a-time mode where one is cheap (Node 24's
 *   AsyncContextFrame), and everywhere outside Lambda's runtime (tests, other hosts);
 * - the runtime's store in one-at-a-time mode on Node 22, where enabling an AsyncLocalStorage taxes
 *   every promise of the process (docs/performance.md, "Isolation"): there leaked work finds the
 *   next invocation's deadline, a documented limit that `MIDDY_DEADLINE_ASYNC_CONTEXT=own` lifts.
 *
 * Both live under Symbol.for keys so that two copies of this package in one bundle still agree.
 */
const STORE_KEY = Symbol.for('@middy-deadline/deadline.current')
const FALLBACK_KEY = Symbol.for('@middy-deadline/deadline.asyncLocalStorage')
/** Marks an isolated scope's store (see `isolated`): not a deadline, and never the caller's. */
const ISOLATION_KEY = Symbol.for('@middy-deadline/deadline.isolation')

interface InvokeStoreLike {
  /** The invocation's own store object; `undefined` outside an invocation. */
  getContext?(): Record<symbol, unknown> | undefined
  /** Only the multi-concurrency store has one: its AsyncLocalStorage. */
  als?: unknown
}

type Stored = Deadline | { readonly [ISOLATION_KEY]: true }

type Globals = typeof globalThis & {
  awslambda?: { InvokeStore?: InvokeStoreLike }
  [FALLBACK_KEY]?: AsyncLocalStorage<Stored>
}
const globals = globalThis as Globals

/** The setting that chooses the store in Lambda's one-at-a-time mode. */
export const ASYNC_CONTEXT_ENV = 'MIDDY_DEADLINE_ASYNC_CONTEXT'
export type AsyncContextSetting = 'auto' | 'own' | 'runtime'
const SETTINGS: readonly AsyncContextSetting[] = ['auto', 'own', 'runtime']

// Our key is ours alone, so we write it on the invocation's store object ourselves: the store's own
// `set()` first checks the key against its protected ones by building an array on every call
// (`Object.values(...).includes`), 11 % of the `deadline` chain's profile on Lambda's path.
const invokeStore = () => globals.awslambda?.InvokeStore

// Process-wide on purpose: the runtime's store, its mode, Node's AsyncLocalStorage and the
// environment do not change during the life of the process (or of a runtime worker thread, which
// has its own copy of this module). Decided again only if another store object shows up.
let chosenFor: InvokeStoreLike | undefined
let useRuntimeStore = false

/** Whether deadlines live in the runtime's store (decided once per store object). */
function usesRuntimeStore(store: InvokeStoreLike | undefined): store is InvokeStoreLike {
  if (store === undefined) return false
  if (store !== chosenFor) {
    chosenFor = store
    useRuntimeStore = chooseRuntimeStore(store)
  }
  return useRuntimeStore
}

/** The runtime's store object for this invocation, if the deadline lives there. */
function runtimeStore(): Record<symbol, unknown> | undefined {
  const store = invokeStore()
  return usesRuntimeStore(store) ? store.getContext?.() : undefined
}

function chooseRuntimeStore(store: InvokeStoreLike): boolean {
  // The multi-concurrency store is an AsyncLocalStorage already: isolated per invocation, for free.
  if (store.als !== undefined) return true
  const setting = asyncContextSetting()
  if (setting !== 'auto') return setting === 'runtime'
  return !asyncContextIsCheap()
}

function asyncContextSetting(): AsyncContextSetting {
  const value = process.env[ASYNC_CONTEXT_ENV]
  if (value === undefined || value === '') return 'auto'
  if ((SETTINGS as readonly string[]).includes(value)) return value as AsyncContextSetting
  warnOnce('current:setting', PACKAGE, `${ASYNC_CONTEXT_ENV} must be one of ${SETTINGS.join(', ')}; using auto`, {
    value: value.slice(0, 40),
  })
  return 'auto'
}

/**
 * Node 24 runs AsyncLocalStorage on AsyncContextFrame (V8 carries the context with each promise);
 * Node 22, and Node 24 under `--no-async-context-frame`, on async_hooks, whose promise hooks run for
 * every promise once any storage is enabled. Only the async_hooks one has `_enable`.
 */
function asyncContextIsCheap(): boolean {
  const asyncHooks = process.getBuiltinModule?.('node:async_hooks')
  return asyncHooks !== undefined && typeof (asyncHooks.AsyncLocalStorage.prototype as { _enable?: unknown })._enable !== 'function'
}

/** Our own AsyncLocalStorage, created on first use; `undefined` before Node 22.3 (said once). */
function ownStorage(): AsyncLocalStorage<Stored> | undefined {
  let storage = globals[FALLBACK_KEY]
  if (storage === undefined) {
    // node:async_hooks is loaded here, on first use, not imported: where the runtime's store holds
    // the deadline it is never needed, and importing it is a good part of this package's import
    // time on Node 22. `process.getBuiltinModule` exists from Node 22.3; before it, only
    // `currentDeadline()` outside Lambda's runtime is lost (with one warning), never the invocation.
    const asyncHooks = process.getBuiltinModule?.('node:async_hooks')
    if (asyncHooks === undefined) {
      warnOnce('current:node', PACKAGE, 'currentDeadline() needs Node >= 22.3 outside Lambda')
      return undefined
    }
    storage = globals[FALLBACK_KEY] = new asyncHooks.AsyncLocalStorage<Stored>()
  }
  return storage
}

/** Makes `deadline` the current one for the rest of this invocation's async flow. */
export function enterDeadline(deadline: Deadline): void {
  const store = runtimeStore()
  // Reflect.set, not `=`: should a runtime ever hand out a frozen object, the assignment would
  // throw into the invocation; this way the deadline goes to our own store below instead.
  if (typeof store === 'object' && store !== null && Reflect.set(store, STORE_KEY, deadline)) return
  // enterWith, not run(): Middy calls our `before` and then the handler from the same async
  // function, and a middleware cannot wrap what comes after it in a callback. Where we own the
  // entry, `isolated` keeps it from reaching the caller.
  ownStorage()?.enterWith(deadline)
}

/**
 * Runs `fn` in an async scope of its own: a deadline entered inside stays inside, and none from
 * the caller shows through. For entry points we own (a batch handler called without Middy,
 * `invokeWithTimeout`): once `fn` has returned, the caller's context holds nothing of this
 * invocation. Where the runtime's store holds deadlines, each invocation has its store already.
 */
export function isolated<T>(fn: () => T): T {
  if (usesRuntimeStore(invokeStore())) return fn()
  const storage = ownStorage()
  // A fresh marker every time: `run` with the store already current would not open a scope. And
  // `run`, unlike `enterWith`, puts the caller's store back when `fn` returns, even where Node 22
  // enables the storage right now, inside a promise job that began before its hooks: there the
  // current resource is the caller's, and a first deadline entered would otherwise stay in it.
  return storage === undefined ? fn() : storage.run({ [ISOLATION_KEY]: true }, fn)
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
  const inRuntime = runtimeStore()?.[STORE_KEY] as Deadline | undefined
  if (inRuntime !== undefined) return inRuntime
  const own = globals[FALLBACK_KEY]?.getStore()
  return own === undefined || ISOLATION_KEY in own ? undefined : own
}
