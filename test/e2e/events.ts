import type { SQSEvent, SQSRecord } from 'aws-lambda'

/** An SQS event as Lambda delivers it from a standard queue, one record per message id. */
export function sqsEvent(messageIds: readonly string[], body: (id: string) => unknown = (id) => ({ id })): SQSEvent {
  return { Records: messageIds.map((id) => sqsRecord(id, body(id))) }
}

function sqsRecord(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders',
    awsRegion: 'us-east-1',
  }
}
