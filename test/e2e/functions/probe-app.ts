import { setTimeout as sleep } from 'node:timers/promises'
import { currentDeadline, type Deadline } from '@middy-deadline/deadline'
import type { Context } from 'aws-lambda'

/**
 * A handler body whose behaviour the test picks through the event, shared by the bundles that
 * wrap it with and without our middlewares. Every line it logs names its request id, so a test
 * can tell which invocation wrote a line that shows up in another one's logs.
 */
export interface ProbeEvent {
  /** Awaits this long (a slow downstream call). */
  workMs?: number
  /** Passes the deadline's signal to that wait, so it stops at the cutoff (as well-behaved code does). */
  useSignal?: boolean
  /** Blocks the event loop this long (a synchronous loop). */
  spinMs?: number
  /** Leaves a plain setTimeout behind that logs after this many ms. */
  leaveTimerMs?: number
  /** Leaves a deadline onCutoff listener behind that logs at the cutoff. */
  leaveCutoffListener?: boolean
}

export interface Probe {
  requestId: string
  contextDeadline: string | undefined
  currentDeadline: string | undefined
  sameObject: boolean
  inInvokeStore: boolean
  invokeStoreRequestId: string | undefined
  fallbackStorageCreated: boolean
  hardDeadlineAt: number | undefined
  /** The Node that runs the runtime (`process.version`). */
  node: string
}

export async function probeApp(event: ProbeEvent, context: Context): Promise<Probe> {
  const id = context.awsRequestId
  const deadline = deadlineOf(context)
  if (event.leaveTimerMs !== undefined) setTimeout(() => console.log(`stray timer from ${id}`), event.leaveTimerMs)
  if (event.leaveCutoffListener) deadline?.onCutoff(() => console.log(`cutoff listener from ${id}`))
  try {
    if (event.spinMs !== undefined) spin(event.spinMs)
    if (event.workMs !== undefined) await sleep(event.workMs, undefined, { signal: event.useSignal ? deadline?.signal : undefined })
    return probe(context)
  } finally {
    console.log(`finally ran for ${id}`)
  }
}

/** Looks for the deadline every way user code can, after an await (concurrent invocations interleave). */
function probe(context: Context): Probe {
  const fromContext = deadlineOf(context)
  const current = currentDeadline()
  const store = (globalThis as { awslambda?: { InvokeStore?: InvokeStore } }).awslambda?.InvokeStore
  return {
    requestId: context.awsRequestId,
    contextDeadline: fromContext?.requestId,
    currentDeadline: current?.requestId,
    sameObject: current !== undefined && current === fromContext,
    inInvokeStore:
      store !== undefined && fromContext !== undefined && store.get(Symbol.for('@middy-deadline/deadline.current')) === fromContext,
    invokeStoreRequestId: store?.getRequestId(),
    fallbackStorageCreated: Symbol.for('@middy-deadline/deadline.asyncLocalStorage') in globalThis,
    hardDeadlineAt: fromContext?.hardDeadlineAt,
    node: process.version,
  }
}

interface InvokeStore {
  get(key: symbol): unknown
  getRequestId(): string
}

function deadlineOf(context: Context): Deadline | undefined {
  return (context as Context & { deadline?: Deadline }).deadline
}

function spin(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // busy: the event loop is blocked, no timer can fire
  }
}
