import type { SQSClient } from '@aws-sdk/client-sqs'
import middy from '@middy/core'
import type { Deadline, DeadlineLimit, DeadlineTimeoutError } from '@middy-deadline/deadline'
import {
  type DeadlineFetch,
  deadlineFetch,
  type OutboundCalls,
  type OutboundFetchContext,
  type OutboundTimeoutError,
  outboundCallsOf,
  outboundFetchTimeout,
  withDeadline,
} from '@middy-deadline/outbound-fetch-timeout'
import { awsSdkDeadlinePlugin } from '@middy-deadline/outbound-fetch-timeout/aws-sdk'
import { expectTypeOf } from 'vitest'

// The handler sees a typed, read-only `context.fetch` next to `context.deadline`.
middy<{ id: string }, string, Error, OutboundFetchContext>(async (event: { id: string }, context: OutboundFetchContext) => {
  expectTypeOf(context.fetch).toEqualTypeOf<DeadlineFetch>()
  expectTypeOf(context.deadline).toEqualTypeOf<Deadline>()
  expectTypeOf(await context.fetch(`https://api.test/${event.id}`)).toEqualTypeOf<Response>()
  // @ts-expect-error context.fetch is read-only
  context.fetch = globalThis.fetch
  expectTypeOf(outboundCallsOf(context.deadline)).toEqualTypeOf<OutboundCalls>()
  return event.id
}).use(outboundFetchTimeout({ perRequestMs: 2000 }))

// deadlineFetch is a drop-in fetch.
expectTypeOf(deadlineFetch).toBeCallableWith(new Request('https://api.test'), { method: 'POST' })

// withDeadline keeps the work's result type, from a function of the signal or from a promise.
expectTypeOf(withDeadline((signal: AbortSignal) => Promise.resolve(signal.aborted))).toEqualTypeOf<Promise<boolean>>()
expectTypeOf(withDeadline(Promise.resolve(42), { label: 'redis' })).toEqualTypeOf<Promise<number>>()

// The error says which limit fired, in the deadline's words, and is one of the deadline's timeout errors.
expectTypeOf<OutboundTimeoutError['limit']>().toEqualTypeOf<DeadlineLimit>()
expectTypeOf<DeadlineLimit>().toEqualTypeOf<'cutoff' | 'operation'>()
expectTypeOf<OutboundTimeoutError>().toMatchTypeOf<DeadlineTimeoutError>()

// The AWS SDK plugin fits a real client's middleware stack.
declare const sqs: SQSClient
sqs.middlewareStack.use(awsSdkDeadlinePlugin(sqs.config, { perRequestMs: 2000 }))

// @ts-expect-error perRequestMs is a number
outboundFetchTimeout({ perRequestMs: '2000' })
// @ts-expect-error unknown option
outboundFetchTimeout({ timeoutMs: 2000 })
