import { checkOptions, oneOf } from '@middy-deadline/deadline/internal'
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { BATCH_OPTIONS, type BatchHandler, type BatchHandlerOptions, type BatchSource, batchHandler } from './batch.js'
import { PACKAGE } from './options.js'
import type { ItemFn } from './runner.js'

export interface SqsBatchOptions<TRecord> extends BatchHandlerOptions<TRecord> {
  /**
   * Keep the order within each message group: `'auto'` when the queue's ARN ends in `.fifo`.
   * Standard queues may carry a MessageGroupId too (fair queues); it does not order them.
   */
  fifo: boolean | 'auto'
}

const SQS_OPTIONS = { ...BATCH_OPTIONS, fifo: oneOf<boolean | 'auto'>([true, false, 'auto'], 'auto') }

/**
 * A handler for SQS events: runs `recordFn` per message within the time budget and reports the
 * `messageId` of every message that failed or was not started. On FIFO queues, once a message of
 * a group fails or is not started, every later message of that group is not started and reported
 * too, so the group's order survives the retry.
 */
export function sqsBatch<TRecord extends SQSRecord = SQSRecord>(
  recordFn: ItemFn<TRecord, unknown>,
  options: Partial<SqsBatchOptions<TRecord>> = {},
): BatchHandler<SQSEvent> {
  const config = checkOptions(PACKAGE, SQS_OPTIONS, options)
  const fifo = config.fifo
  const source: BatchSource<TRecord> = {
    name: 'SQS',
    orderKey: (record) => (isFifo(record, fifo) ? `group:${record.attributes?.MessageGroupId ?? ''}` : undefined),
    failures: (outcomes) => outcomes.filter((o) => o.status !== 'done').map((o) => o.item?.messageId),
  }
  return batchHandler<TRecord, { Records?: TRecord[] }>(source, recordFn, config) as BatchHandler<SQSEvent>
}

function isFifo(record: SQSRecord, fifo: boolean | 'auto'): boolean {
  if (fifo !== 'auto') return fifo
  return typeof record?.eventSourceARN === 'string' && record.eventSourceARN.endsWith('.fifo')
}
