// A user's handler, compiled against the published types (dist), not our sources.

import middy from '@middy/core'
import { currentDeadline, type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'

export const handler = middy<{ orderId: string }, { ok: boolean }, Error, DeadlineContext>(
  async (event: { orderId: string }, context: DeadlineContext) => {
    const signal: AbortSignal = context.deadline.signal
    const left: number = context.deadline.remaining()
    context.deadline.mark(`order ${event.orderId}`)
    return { ok: !signal.aborted && left > 0 && currentDeadline() === context.deadline }
  },
  { ...deadlinePlugin() },
).use(deadline({ reserveMs: 500 }))

export const outcome = invokeWithTimeout(handler, { orderId: '1' }, { context: createLambdaContext<DeadlineContext>({ timeoutMs: 1000 }) })

// @ts-expect-error options are typed in the published declarations too
deadline({ reserveMs: '500' })
