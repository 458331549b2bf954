import type { DynamoDBRecord, KinesisStreamRecord, SQSRecord } from 'aws-lambda'

// Records shaped like the ones Lambda delivers (see @types/aws-lambda and the AWS event samples).
const REGION = 'us-east-1'

export function sqsRecord(messageId: string, body: string, queue = 'orders', groupId?: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000001',
      ...(groupId === undefined ? {} : { MessageGroupId: groupId, MessageDeduplicationId: `dedup-${messageId}`, SequenceNumber: '1' }),
    },
    messageAttributes: {},
    md5OfBody: '0',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:123456789012:${queue}`,
    awsRegion: REGION,
  }
}

export function kinesisRecord(sequenceNumber: string, data: string, partitionKey = 'pk'): KinesisStreamRecord {
  return {
    awsRegion: REGION,
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: `arn:aws:kinesis:${REGION}:123456789012:stream/clicks`,
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
    kinesis: {
      approximateArrivalTimestamp: 1700000000.123,
      data: Buffer.from(data).toString('base64'),
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
    },
  }
}

export function dynamodbRecord(sequenceNumber: string, id: string): DynamoDBRecord {
  return {
    awsRegion: REGION,
    eventID: `event-${sequenceNumber}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: `arn:aws:dynamodb:${REGION}:123456789012:table/orders/stream/2026-11-23T00:00:00.000`,
    eventVersion: '1.1',
    dynamodb: {
      ApproximateCreationDateTime: 1700000000,
      Keys: { id: { S: id } },
      NewImage: { id: { S: id } },
      SequenceNumber: sequenceNumber,
      SizeBytes: 26,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  }
}

export { pause as sleep } from '../../../test/support/pause.js'
