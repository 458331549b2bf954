import middy from '@middy/core'
import { dynamodbStreamBatch, kinesisBatch, remainingTimeBudget } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { dynamodbRecord, kinesisRecord, sleep } from './events.js'

afterEach(() => {
  vi.useRealTimers()
})

const decode = (data: string) => Buffer.from(data, 'base64').toString()

describe('kinesisBatch', () => {
  it('reports the sequence number of the first failed record and starts nothing after it', async () => {
    const seen: string[] = []
    const handler = middy(
      kinesisBatch(
        async (record) => {
          const body = decode(record.kinesis.data)
          seen.push(body)
          if (body === 'c') throw new Error('bad click')
        },
        { concurrency: 4 },
      ),
    ).use(remainingTimeBudget())
    const event: KinesisStreamEvent = { Records: ['a', 'b', 'c', 'd', 'e'].map((d, i) => kinesisRecord(`4959${i}`, d)) }
    expect(await handler(event, createLambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: '49592' }] })
    // strictly sequential, even when asked for concurrency: a shard's order is the point
    expect(seen).toEqual(['a', 'b', 'c'])
  })

  it('reports the first record that did not fit, so the retry resumes there', async () => {
    vi.useFakeTimers()
    const handler = middy(kinesisBatch(() => sleep(100), { expectedMs: 100, safetyFactor: 1, estimator: false })).use(
      remainingTimeBudget({ reserveMs: 100 }),
    )
    const event: KinesisStreamEvent = { Records: ['a', 'b', 'c', 'd', 'e'].map((d, i) => kinesisRecord(`100${i}`, d)) }
    const pending = handler(event, createLambdaContext({ timeoutMs: 400 }))
    await vi.runAllTimersAsync()
    expect(await pending).toEqual({ batchItemFailures: [{ itemIdentifier: '1003' }] })
  })

  it('answers an empty list when the whole batch is done', async () => {
    const handler = middy(kinesisBatch(async () => {})).use(remainingTimeBudget())
    expect(await handler({ Records: [kinesisRecord('1', 'x')] }, createLambdaContext())).toEqual({ batchItemFailures: [] })
  })
})

describe('dynamodbStreamBatch', () => {
  it('reports dynamodb.SequenceNumber of the first failed record', async () => {
    const seen: string[] = []
    const handler = middy(
      dynamodbStreamBatch(async (record) => {
        const id = record.dynamodb?.Keys?.id?.S ?? ''
        seen.push(id)
        if (id === 'o2') throw new Error('conflict')
      }),
    ).use(remainingTimeBudget())
    const event: DynamoDBStreamEvent = { Records: [dynamodbRecord('111', 'o1'), dynamodbRecord('222', 'o2'), dynamodbRecord('333', 'o3')] }
    expect(await handler(event, createLambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: '222' }] })
    expect(seen).toEqual(['o1', 'o2'])
  })

  it('fails the whole batch when the record to resume from has no sequence number', async () => {
    const handler = middy(dynamodbStreamBatch(async () => Promise.reject(new Error('x')))).use(remainingTimeBudget())
    const record = dynamodbRecord('1', 'o1')
    delete record.dynamodb?.SequenceNumber
    await expect(handler({ Records: [record] }, createLambdaContext())).rejects.toThrow(/whole batch/)
  })
})

describe('a failed stream record without its sequence number (malformed input)', () => {
  it('fails the whole batch with a BatchReportError, for Kinesis and for DynamoDB Streams alike', async () => {
    const failing = async () => {
      throw new Error('cannot parse')
    }
    const kinesis = kinesisBatch(failing)({ Records: [{ eventID: 'no kinesis field' }] } as never, createLambdaContext())
    await expect(kinesis).rejects.toMatchObject({ name: 'BatchReportError', message: expect.stringContaining('a Kinesis record') })
    const dynamodb = dynamodbStreamBatch(failing)({ Records: [{ eventID: 'no dynamodb field' }] } as never, createLambdaContext())
    await expect(dynamodb).rejects.toMatchObject({
      name: 'BatchReportError',
      message: expect.stringContaining('a DynamoDB Streams record'),
    })
  })

  it('fails the whole batch with a BatchReportError when the record is no record at all (a hole in Records)', async () => {
    const reading = async (record: { eventID: string }) => record.eventID
    const kinesis = kinesisBatch(reading)({ Records: [kinesisRecord('1', 'a'), undefined] } as never, createLambdaContext())
    await expect(kinesis).rejects.toMatchObject({ name: 'BatchReportError', message: expect.stringContaining('a Kinesis record') })
    const dynamodb = dynamodbStreamBatch(reading)({ Records: [dynamodbRecord('1', 'o1'), undefined] } as never, createLambdaContext())
    await expect(dynamodb).rejects.toMatchObject({
      name: 'BatchReportError',
      message: expect.stringContaining('a DynamoDB Streams record'),
    })
  })
})
