import middy from '@middy/core'
import {
  currentDeadline,
  type Deadline,
  type DeadlineContext,
  type DeadlineScope,
  deadline,
  deadlinePlugin,
} from '@middy-deadline/deadline'
import type { Context } from 'aws-lambda'
import { expectTypeOf } from 'vitest'

// The handler sees a typed `context.deadline` once it declares DeadlineContext.
middy<{ id: string }, string, Error, DeadlineContext>(async (event: { id: string }, context: DeadlineContext) => {
  expectTypeOf(context.deadline).toEqualTypeOf<Deadline>()
  expectTypeOf(context.awsRequestId).toBeString()
  expectTypeOf(context.deadline.signal).toEqualTypeOf<AbortSignal>()
  expectTypeOf(context.deadline.remaining()).toBeNumber()
  expectTypeOf(context.deadline.status).toEqualTypeOf<'running' | 'unknown' | 'expired'>()
  expectTypeOf(context.deadline.scope(100)).toEqualTypeOf<DeadlineScope>()
  // @ts-expect-error the deadline is read-only on the context
  context.deadline = undefined
  return event.id
}).use(deadline({ reserveMs: 500 }))

// The same handler type-checks when written with `.handler()`, where Middy infers the parameters.
middy<{ id: string }, string, Error, DeadlineContext>()
  .use(deadline())
  .handler(async (event, context) => {
    expectTypeOf(context.deadline).toEqualTypeOf<Deadline>()
    return event.id
  })

// A plain Context has no deadline.
expectTypeOf<Context>().not.toHaveProperty('deadline')

// Options are checked by the compiler too.
// @ts-expect-error reserveMs is a number
deadline({ reserveMs: '500' })
// @ts-expect-error unknown option
deadline({ reserve: 500 })

expectTypeOf(currentDeadline()).toEqualTypeOf<Deadline | undefined>()

// The plugin spreads into Middy's plugin options beside Middy's own settings.
middy(async () => 'ok', { ...deadlinePlugin(), timeoutEarlyInMillis: 0 })

// A deadline is the time budget and the cancellation: the plugin's phases and the cutoff by hand
// are for our packages (deadline/internal), not on the type users see. Marks are the user's.
expectTypeOf<Deadline>().toHaveProperty('mark')
expectTypeOf<Deadline>().toHaveProperty('marks')
expectTypeOf<Deadline>().not.toHaveProperty('reachCutoff')
expectTypeOf<Deadline>().not.toHaveProperty('enterPhase')
expectTypeOf<Deadline>().not.toHaveProperty('exitPhase')
expectTypeOf<Deadline>().not.toHaveProperty('phases')
expectTypeOf<Deadline>().not.toHaveProperty('onProgress')
