import middy from '@middy/core'
import {
  type BatchHandler,
  BatchInputError,
  dynamodbStreamBatch,
  kinesisBatch,
  remainingTimeBudget,
  runWithinBudget,
  sqsBatch,
} from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { dynamodbRecord, kinesisRecord, sqsRecord } from './events.js'

// An answer of `{ batchItemFailures: [] }` tells Lambda to delete every message of the batch. It
// must never be given for a batch we could not read: every shape of `Records` that is not an array
// fails the invocation with a named error, so that Lambda retries the batch.

const notArrays: [label: string, event: unknown][] = [
  ['Records missing', {}],
  ['Records null', { Records: null }],
  ['Records a string', { Records: 'm1,m2' }],
  ['Records a number', { Records: 3 }],
  ['Records an array-like object', { Records: { length: 2, 0: sqsRecord('m1', ''), 1: sqsRecord('m2', '') } }],
  ['Records an object keyed by id', { Records: { m1: sqsRecord('m1', '') } }],
  ['Records a Set', { Records: new Set([sqsRecord('m1', '')]) }],
  ['Records a function', { Records: () => [] }],
  ['the event null', null],
  ['the event undefined', undefined],
  ['the event a string', '{"Records":[]}'],
]

const sources: [name: string, make: (fn: () => Promise<void>) => BatchHandler<never>][] = [
  ['sqsBatch', (fn) => sqsBatch(fn) as BatchHandler<never>],
  ['kinesisBatch', (fn) => kinesisBatch(fn) as BatchHandler<never>],
  ['dynamodbStreamBatch', (fn) => dynamodbStreamBatch(fn) as BatchHandler<never>],
]

describe.each(sources)('%s given an event that is not a batch', (_name, make) => {
  it.each(notArrays)('%s: throws BatchInputError (Lambda retries), never answers with no failures, runs nothing', async (_label, event) => {
    let ran = 0
    const recordFn = async () => {
      ran++
    }
    for (const handler of [make(recordFn), middy(make(recordFn)).use(remainingTimeBudget())]) {
      const answer = (handler as (e: unknown, c: object) => Promise<unknown>)(event, createLambdaContext())
      await expect(answer).rejects.toBeInstanceOf(BatchInputError)
      await expect(answer).rejects.toMatchObject({ name: 'BatchInputError', message: expect.stringContaining('not an array') })
    }
    expect(ran).toBe(0)
  })

  it('still answers an empty batch with no failures (there is nothing to retry)', async () => {
    expect(await make(async () => {})({ Records: [] } as never, createLambdaContext())).toEqual({ batchItemFailures: [] })
  })
})

describe('runWithinBudget given items that are not an array', () => {
  it.each(notArrays.map(([label, event]) => [label, (event as { Records?: unknown } | null)?.Records ?? event] as const))(
    '%s: rejects with BatchInputError instead of reporting an empty run complete',
    async (_label, items) => {
      await expect(runWithinBudget(items as never, async () => {})).rejects.toBeInstanceOf(BatchInputError)
    },
  )
})

describe('the error message', () => {
  it('says what Records was without reading into it (a proxy that throws on every access is described safely)', async () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('do not touch')
        },
        getPrototypeOf() {
          throw new Error('do not touch')
        },
      },
    )
    const answer = sqsBatch(async () => {})({ Records: hostile } as never, createLambdaContext())
    await expect(answer).rejects.toThrow(
      "the SQS event's Records is an object, not an array: failing the invocation so that Lambda retries the whole batch",
    )
  })

  it('names each source', async () => {
    await expect(kinesisBatch(async () => {})({} as never, createLambdaContext())).rejects.toThrow("the Kinesis event's Records is missing")
    await expect(dynamodbStreamBatch(async () => {})({ Records: 'x' } as never, createLambdaContext())).rejects.toThrow(
      "the DynamoDB Streams event's Records is a string",
    )
    // A well-formed record list still runs (the sample records are the real shapes).
    expect(await kinesisBatch(async () => {})({ Records: [kinesisRecord('1', 'a')] } as never, createLambdaContext())).toEqual({
      batchItemFailures: [],
    })
    expect(await dynamodbStreamBatch(async () => {})({ Records: [dynamodbRecord('1', 'a')] } as never, createLambdaContext())).toEqual({
      batchItemFailures: [],
    })
  })
})
