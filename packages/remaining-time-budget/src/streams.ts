import { checkOptions } from '@middy-deadline/deadline/internal'
import type { DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import { BATCH_OPTIONS, type BatchHandler, type BatchHandlerOptions, type BatchSource, batchHandler } from './batch.js'
import { PACKAGE } from './options.js'
import type { ItemFn, ItemOutcome } from './runner.js'

// One key for the whole batch: a stream batch comes from one shard and is processed strictly in
// order, one record at a time, and nothing starts after the first record that failed or did
// not fit. (Lambda's ParallelizationFactor splits a shard by partition key across concurrent
// invocations; each invocation still sees its records in order.)
const WHOLE_BATCH = 'stream'

/** Lambda retries a stream from the lowest reported sequence number: report just the first. */
function streamSource<TRecord>(name: string, sequenceNumberOf: (record: TRecord) => string | undefined): BatchSource<TRecord> {
  return {
    name,
    orderKey: () => WHOLE_BATCH,
    failures: (outcomes: readonly ItemOutcome<TRecord, unknown>[]) => {
      const first = outcomes.find((o) => o.status !== 'done')
      return first === undefined ? [] : [sequenceNumberOf(first.item)]
    },
  }
}

/**
 * A handler for Kinesis events: records run in order within the time budget; the response names
 * the `kinesis.sequenceNumber` of the first record that failed or was not started, and no record
 * after it is started.
 */
export function kinesisBatch<TRecord extends KinesisStreamRecord = KinesisStreamRecord>(
  recordFn: ItemFn<TRecord, unknown>,
  options: Partial<BatchHandlerOptions<TRecord>> = {},
): BatchHandler<KinesisStreamEvent> {
  const source = streamSource<TRecord>('Kinesis', (record) => record?.kinesis?.sequenceNumber)
  return batchHandler<TRecord, { Records?: TRecord[] }>(
    source,
    recordFn,
    checkOptions(PACKAGE, BATCH_OPTIONS, options),
  ) as BatchHandler<KinesisStreamEvent>
}

/** A handler for DynamoDB Streams events: like `kinesisBatch`, reporting `dynamodb.SequenceNumber`. */
export function dynamodbStreamBatch<TRecord extends DynamoDBRecord = DynamoDBRecord>(
  recordFn: ItemFn<TRecord, unknown>,
  options: Partial<BatchHandlerOptions<TRecord>> = {},
): BatchHandler<DynamoDBStreamEvent> {
  const source = streamSource<TRecord>('DynamoDB Streams', (record) => record?.dynamodb?.SequenceNumber)
  return batchHandler<TRecord, { Records?: TRecord[] }>(
    source,
    recordFn,
    checkOptions(PACKAGE, BATCH_OPTIONS, options),
  ) as BatchHandler<DynamoDBStreamEvent>
}
