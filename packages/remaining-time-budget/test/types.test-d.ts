import type { DurableContext } from '@aws/durable-execution-sdk-js'
import type { DeadlineLimit, DeadlineTimeoutError } from '@middy-deadline/deadline'
import {
  type BudgetRun,
  dynamodbStreamBatch,
  type ItemAbandonedError,
  kinesisBatch,
  runWithinBudget,
  sqsBatch,
} from '@middy-deadline/remaining-time-budget'
import { stepWithinBudget } from '@middy-deadline/remaining-time-budget/durable'
import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  KinesisStreamBatchResponse,
  KinesisStreamRecord,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda'
import { expectTypeOf } from 'vitest'

// The record functions see the event source's own record type.
sqsBatch(async (record) => {
  expectTypeOf(record).toEqualTypeOf<SQSRecord>()
})
kinesisBatch(async (record) => {
  expectTypeOf(record).toEqualTypeOf<KinesisStreamRecord>()
})
dynamodbStreamBatch(async (record, { signal }) => {
  expectTypeOf(record).toEqualTypeOf<DynamoDBRecord>()
  expectTypeOf(signal).toEqualTypeOf<AbortSignal>()
})

// Each handler answers with Lambda's own partial batch response type.
const sqsHandler = sqsBatch(async () => {})
expectTypeOf(sqsHandler).parameter(0).toEqualTypeOf<SQSEvent>()
expectTypeOf<Awaited<ReturnType<typeof sqsHandler>>>().toMatchTypeOf<SQSBatchResponse>()
expectTypeOf<Awaited<ReturnType<ReturnType<typeof kinesisBatch>>>>().toMatchTypeOf<KinesisStreamBatchResponse>()
expectTypeOf<Awaited<ReturnType<ReturnType<typeof dynamodbStreamBatch>>>>().toMatchTypeOf<DynamoDBBatchResponse>()

// The runner keeps the item and result types.
const run = runWithinBudget([1, 2, 3], async (n) => `${n}`)
expectTypeOf(run).toEqualTypeOf<Promise<BudgetRun<number, string>>>()
run.then((r) => {
  const first = r.outcomes[0]
  if (first?.status === 'done') expectTypeOf(first.value).toEqualTypeOf<string>()
  if (first?.status === 'not-started') expectTypeOf(first.reason).toEqualTypeOf<'no-time' | 'aborted' | 'ordering'>()
  expectTypeOf(r.rest).toEqualTypeOf<readonly number[]>()
})

// A budgeted durable step returns what the step returns.
declare const durable: DurableContext
expectTypeOf(stepWithinBudget(durable, 'n', async () => 42, { expectedMs: 1000 })).toEqualTypeOf<Promise<number>>()

// An abandoned item's error is one of the deadline's timeout errors, with the same `limit` words.
expectTypeOf<ItemAbandonedError>().toMatchTypeOf<DeadlineTimeoutError>()
expectTypeOf<ItemAbandonedError['limit']>().toEqualTypeOf<DeadlineLimit>()
