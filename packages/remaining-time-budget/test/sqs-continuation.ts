import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs'

/**
 * The continuation recipe of docs/remaining-time-budget.md, kept here so that it is tested:
 * re-enqueue what a run did not start, in SendMessageBatch calls of at most 10 entries.
 * A partial failure of a batch call throws, so that `runWithinBudget` reports a
 * ContinuationError and the invocation fails instead of losing the items.
 */
export function reenqueueTo<TItem>(client: Pick<SQSClient, 'send'>, queueUrl: string, signal?: () => AbortSignal | undefined) {
  return async (rest: TItem[]): Promise<void> => {
    for (let start = 0; start < rest.length; start += 10) {
      const Entries = rest.slice(start, start + 10).map((item, offset) => ({
        Id: String(start + offset),
        MessageBody: JSON.stringify(item),
      }))
      const output = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }), { abortSignal: signal?.() })
      if (output.Failed !== undefined && output.Failed.length > 0) {
        throw new Error(`SQS refused ${output.Failed.length} of ${Entries.length} messages: ${output.Failed.map((f) => f.Code).join(', ')}`)
      }
    }
  }
}
