import { AsyncResource } from 'node:async_hooks'
import middy from '@middy/core'
import { currentDeadline, type Deadline, type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { sqsBatch } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import type { SQSEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { sqsRecord } from './events.js'

// Which deadline a batch handler's records run under (docs/remaining-time-budget.md, "Which
// deadline"): the invocation's own, never one of another request, never one that has ended.

const event: SQSEvent = { Records: [sqsRecord('m1', '')] }
// Made at init, outside any invocation, as a connection pool makes its resources: what it calls
// back runs in the async context of its making, where no invocation's deadline is current.
const pool = new AsyncResource('pool')

/** A batch handler that says which deadline its record was given. */
function recording() {
  const given: (Deadline | undefined)[] = []
  const handler = sqsBatch(async (_record, { deadline: itemDeadline }) => {
    given.push(itemDeadline)
  })
  return { handler, given }
}

describe('the deadline a batch handler uses', () => {
  it("is the chain's own, found by request id, when the context could not take `deadline` (frozen)", async () => {
    const { handler, given } = recording()
    let chainDeadline: Deadline | undefined
    const chain = middy(async (e: SQSEvent, context: DeadlineContext) => handler(e, context), { timeoutEarlyInMillis: 0 })
      .use(deadline({ reserveMs: 300 }))
      .before((request) => {
        // The chain's deadline exists by now (created by the middleware above); the context stayed frozen.
        chainDeadline = (request as unknown as Record<symbol, Deadline>)[Symbol.for('@middy-deadline/deadline')]
      })
    const context = Object.freeze(createLambdaContext({ awsRequestId: 'frozen-1', timeoutMs: 5000 }))
    expect(await chain(event, context as DeadlineContext)).toEqual({ batchItemFailures: [] })
    expect(chainDeadline).toBeDefined()
    expect(given[0]).toBe(chainDeadline)
    // The chain's reserve stands: the batch's own floor (abandonAfterMs + 50) is smaller, and a
    // deadline of the handler's own would keep 500.
    expect(given[0]?.reserveMs).toBe(300)
  })

  it("is the chain's own, read from `context.deadline`, where the async context no longer has it (a callback of a resource made at init)", async () => {
    const { handler, given } = recording()
    let chainDeadline: Deadline | undefined
    let currentInCallback: Deadline | undefined
    const chain = middy(
      async (e: SQSEvent, context: DeadlineContext) => {
        chainDeadline = context.deadline
        return pool.runInAsyncScope(() => {
          currentInCallback = currentDeadline()
          return handler(e, context)
        })
      },
      { timeoutEarlyInMillis: 0 },
    ).use(deadline({ reserveMs: 300 }))
    expect(await chain(event, createLambdaContext<DeadlineContext>({ awsRequestId: 'pooled', timeoutMs: 5000 }))).toEqual({
      batchItemFailures: [],
    })
    expect(currentInCallback).toBeUndefined()
    expect(chainDeadline).toBeDefined()
    expect(given[0]).toBe(chainDeadline)
  })

  it('is a fresh one when the context still carries an ended deadline of an earlier call (a reused context)', async () => {
    const { handler, given } = recording()
    const context = createLambdaContext({ awsRequestId: 'reused', timeoutMs: 5000 })
    await handler(event, context)
    await handler(event, context)
    expect(given).toHaveLength(2)
    expect(given[0]?.ended).toBe(true)
    expect(given[1]).not.toBe(given[0])
    expect(given[1]?.requestId).toBe('reused')
  })

  it('is its own, not a value of some other kind under `context.deadline`', async () => {
    const { handler, given } = recording()
    const context = Object.assign(createLambdaContext({ awsRequestId: 'foreign', timeoutMs: 5000 }), { deadline: { at: '2030-01-01' } })
    expect(await handler(event, context)).toEqual({ batchItemFailures: [] })
    expect(given[0]?.requestId).toBe('foreign')
    expect(given[0]?.budgetMs).toBeGreaterThan(4000)
    // A deadline of the handler's own keeps DEFAULT_BATCH_RESERVE_MS, more than its floor (abandonAfterMs + 50).
    expect(given[0]?.reserveMs).toBe(500)
  })

  it("is its own in each of two overlapping calls without Middy, and neither stays in the caller's async context once its call has returned", async () => {
    // Each record looks three times, a promise turn apart, so that the two batches interleave.
    const seen: Record<string, string[]> = { a: [], b: [] }
    const batchOf = (id: string) =>
      sqsBatch(async (_record, { deadline: itemDeadline }) => {
        for (let look = 0; look < 3; look++) {
          await null
          seen[id]?.push(`given ${itemDeadline?.requestId}, current ${currentDeadline()?.requestId}`)
        }
      })
    const a = batchOf('a')(event, createLambdaContext({ awsRequestId: 'a', timeoutMs: 5000 }))
    const inCallerAfterA = currentDeadline()
    const b = batchOf('b')(event, createLambdaContext({ awsRequestId: 'b', timeoutMs: 6000 }))
    const inCallerAfterB = currentDeadline()
    expect(await Promise.all([a, b])).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }])
    expect(inCallerAfterA).toBeUndefined()
    expect(inCallerAfterB).toBeUndefined()
    expect(seen).toEqual({ a: Array(3).fill('given a, current a'), b: Array(3).fill('given b, current b') })
  })

  it("is never a current deadline of another request, nor one whose request id is unknown (''), found in the async context", async () => {
    const cases: [outer: string, inner: string][] = [
      ['outer-1', 'inner-1'],
      ['', ''],
    ]
    for (const [outer, inner] of cases) {
      const { handler, given } = recording()
      let outerDeadline: Deadline | undefined
      // A chain whose handler calls a batch handler with a context of another request.
      const chain = middy(
        async (_e: unknown, context: DeadlineContext) => {
          outerDeadline = context.deadline
          // createLambdaContext wants an id: the one without is made by hand, as another host might.
          return handler(event, { ...createLambdaContext({ timeoutMs: 5000 }), awsRequestId: inner })
        },
        { timeoutEarlyInMillis: 0 },
      ).use(deadline())
      await chain({}, { ...createLambdaContext<DeadlineContext>({ timeoutMs: 8000 }), awsRequestId: outer })
      expect(given[0]).not.toBe(outerDeadline)
      expect(given[0]?.requestId).toBe(inner)
    }
  })
})
