import { setTimeout as sleep } from 'node:timers/promises'
import middy from '@middy/core'
import { currentDeadline, deadline } from '@middy-deadline/deadline'
import { withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { timingLogger } from '@middy-deadline/timing-logger'
import type { Context } from 'aws-lambda'

export interface LeakEvent {
  /** Leaves a timer that fires this long after the invocation: in the next one, once thawed. */
  leaveMs?: number
  workMs?: number
}

export interface LeakProbe {
  requestId: string
  node: string
  /** Where the deadline lives: the runtime's store, or our own AsyncLocalStorage. */
  inRuntimeStore: boolean
}

/**
 * Work left behind: a timer of invocation N that, run during N+1, looks for the current deadline
 * and makes an outbound call through `withDeadline` (bounded by, and counted in, whichever
 * invocation's deadline it finds).
 */
async function app(event: LeakEvent, context: Context): Promise<LeakProbe> {
  const id = context.awsRequestId
  if (event.leaveMs !== undefined) {
    setTimeout(async () => {
      console.log(`leaked work from ${id} sees ${currentDeadline()?.requestId ?? 'no deadline'}`)
      await withDeadline(() => sleep(1), { label: `leaked-from-${id}` }).catch(() => {})
    }, event.leaveMs)
  }
  if (event.workMs !== undefined) await sleep(event.workMs)
  const store = (globalThis as { awslambda?: { InvokeStore?: { get(key: symbol): unknown } } }).awslambda?.InvokeStore
  return {
    requestId: id,
    node: process.version,
    inRuntimeStore: store?.get(Symbol.for('@middy-deadline/deadline.current')) !== undefined,
  }
}

export const handler = middy(app)
  .use(timingLogger())
  .use(deadline({ reserveMs: 200 }))
