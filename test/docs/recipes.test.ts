import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { invokeWithTimeout, type LambdaHandler } from '@middy-deadline/testing'
import type { KinesisStreamRecord, SQSRecord } from 'aws-lambda'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Captured, captureStdout } from '../../packages/graceful-timeout/test/capture.js'
import { type LocalSqs, startLocalSqs } from './local-sqs.ts'
import { pause } from './prelude.ts'
import { runBlock } from './run.ts'

// Every recipe of docs/recipes.md, loaded from the page itself (runBlock) and invoked the way
// Lambda would; our packages resolve to their sources. The durable one is in recipe-durable.test.ts:
// the durable SDK's test runner fakes the timers of the whole file.

type Handler = LambdaHandler<unknown, unknown>

let stdout: Captured
beforeEach(() => {
  stdout = captureStdout()
})
afterEach(() => stdout.restore())
const timingRecords = () => stdout.lines().filter((line) => typeof line.timingSource === 'string')

/** What the stand-ins left running (a stuck save, a stuck job), stopped after each test. */
let leftovers = new AbortController()
afterEach(() => {
  leftovers.abort()
  leftovers = new AbortController()
})
const stuckForever = () => pause(60_000, leftovers.signal).catch(() => {})

describe('An HTTP API', () => {
  let server: Server
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/orders/1') response.end(JSON.stringify({ id: '1', status: 'paid' }))
      // Any other order: the service accepts the connection and never answers.
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    process.env.ORDERS_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    delete process.env.ORDERS_URL
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  const load = async () => (await runBlock('docs/recipes.md', 'recipe-http-api')).handler as Handler

  it('answers an order found with a 200, and writes one success record', async () => {
    const outcome = await invokeWithTimeout(await load(), { pathParameters: { id: '1' } }, { timeoutMs: 3000 })
    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 200, body: '{"id":"1","status":"paid"}' } })
    expect(timingRecords()).toEqual([expect.objectContaining({ outcome: 'success', statusCode: 200 })])
  })

  it("answers a downstream that never answers with a 504 after perRequestMs, naming no host, and a timeout record with the call's limit", async () => {
    const outcome = await invokeWithTimeout(await load(), { pathParameters: { id: '2' } }, { timeoutMs: 3000 })
    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 504, body: expect.stringMatching(/^Timed out/) } })
    expect(JSON.stringify(outcome)).not.toContain('127.0.0.1')
    expect(outcome.status === 'succeeded' && outcome.durationMs).toBeGreaterThanOrEqual(1990)
    expect(timingRecords()).toEqual([expect.objectContaining({ outcome: 'timeout', errorName: 'TimeoutError', cutoffReached: false })])
  })

  it('answers a function that runs out of time with a 504 at the cutoff, one timeout record and one timing record', async () => {
    const outcome = await invokeWithTimeout(await load(), { pathParameters: { id: '2' } }, { timeoutMs: 1000 })
    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 504 } })
    expect(stdout.records()).toHaveLength(1)
    expect(timingRecords()).toEqual([expect.objectContaining({ outcome: 'timeout', cutoffReached: true, statusCode: 504 })])
  })
})

function sqsRecords(ids: readonly string[], body: (id: string) => unknown = (id) => ({ id })): SQSRecord[] {
  return ids.map(
    (id) =>
      ({
        messageId: `msg-${id}`,
        receiptHandle: `handle-${id}`,
        body: JSON.stringify(body(id)),
        attributes: {},
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders',
        awsRegion: 'us-east-1',
      }) as unknown as SQSRecord,
  )
}

/** saveOrder as the recipes call it: 100 ms that honour the signal; 'bad' fails, 'stuck' ignores every signal. */
function ordersStore() {
  const saved: string[] = []
  const saveOrder = async (order: unknown, options?: { signal?: AbortSignal }) => {
    const { id } = order as { id: string }
    if (id === 'bad') throw new Error('the database refused it')
    if (id === 'stuck') return stuckForever()
    await pause(100, options?.signal)
    saved.push(id)
  }
  return { saved, saveOrder }
}

/** Runs the block `name` of `file` with an orders store of its own, and invokes its handler once with `Records`. */
async function invokeOrdersRecipe(file: string, name: string, Records: unknown[], timeoutMs: number) {
  const store = ordersStore()
  const { handler } = await runBlock(file, name, { saveOrder: store.saveOrder })
  const outcome = await invokeWithTimeout(handler as Handler, { Records }, { timeoutMs })
  return { store, outcome }
}

const failureIds = (response: unknown) =>
  (response as { batchItemFailures: { itemIdentifier: string }[] }).batchItemFailures.map((f) => f.itemIdentifier)

describe('An SQS consumer', () => {
  it('answers a batch that fits with no failures', async () => {
    const { store, outcome } = await invokeOrdersRecipe(
      'docs/recipes.md',
      'recipe-sqs-consumer',
      sqsRecords(['1', '2', '3', '4', '5', '6']),
      3000,
    )
    expect(outcome).toMatchObject({ status: 'succeeded', response: { batchItemFailures: [] } })
    expect(store.saved.sort()).toEqual(['1', '2', '3', '4', '5', '6'])
  })

  it('reports exactly the messages not saved, a stuck one included, before the hard deadline', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => (i === 2 ? 'stuck' : String(i)))
    // 1.6 s with a 1 s reserve: the cutoff at 600 ms leaves time for about 25 of them.
    const { store, outcome } = await invokeOrdersRecipe('docs/recipes.md', 'recipe-sqs-consumer', sqsRecords(ids), 1600)
    expect(outcome.status).toBe('succeeded')
    const reported = failureIds(outcome.status === 'succeeded' ? outcome.response : undefined)
    expect(store.saved.length).toBeGreaterThan(5)
    expect(reported).toContain('msg-stuck')
    expect(reported.sort()).toEqual(
      ids
        .filter((id) => !store.saved.includes(id))
        .map((id) => `msg-${id}`)
        .sort(),
    )
    expect(stdout.records()).toHaveLength(1)
    expect(timingRecords()).toEqual([expect.objectContaining({ outcome: 'success', cutoffReached: true })])
  })
})

function kinesisRecords(ids: readonly string[]): KinesisStreamRecord[] {
  return ids.map(
    (id, index) =>
      ({
        eventSource: 'aws:kinesis',
        eventID: `shardId-000000000000:${1000 + index}`,
        kinesis: {
          sequenceNumber: String(1000 + index),
          partitionKey: 'orders',
          data: Buffer.from(JSON.stringify({ id })).toString('base64'),
        },
      }) as unknown as KinesisStreamRecord,
  )
}

describe('A stream consumer', () => {
  it('stops at a record that fails and reports its sequence number only; the later ones do not start', async () => {
    const { store, outcome } = await invokeOrdersRecipe(
      'docs/recipes.md',
      'recipe-stream-consumer',
      kinesisRecords(['a', 'b', 'bad', 'c', 'd']),
      3000,
    )
    expect(failureIds(outcome.status === 'succeeded' ? outcome.response : undefined)).toEqual(['1002'])
    expect(store.saved).toEqual(['a', 'b'])
  })

  it('stops at the cutoff and reports where Lambda should resume: every record before it done, in order', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `o${i}`)
    const { store, outcome } = await invokeOrdersRecipe('docs/recipes.md', 'recipe-stream-consumer', kinesisRecords(ids), 1800)
    const [resumeAt] = failureIds(outcome.status === 'succeeded' ? outcome.response : undefined)
    expect(store.saved.length).toBeGreaterThan(2)
    expect(store.saved).toEqual(ids.slice(0, store.saved.length))
    expect(resumeAt).toBe(String(1000 + store.saved.length))
  })
})

describe('Handing the rest on: re-enqueue to SQS', () => {
  let sqs: LocalSqs
  const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }
  beforeAll(async () => {
    sqs = await startLocalSqs()
    Object.assign(process.env, env, { AWS_ENDPOINT_URL_SQS: sqs.endpoint, JOBS_QUEUE_URL: sqs.queueUrl('jobs') })
  })
  afterAll(async () => {
    for (const key of [...Object.keys(env), 'AWS_ENDPOINT_URL_SQS', 'JOBS_QUEUE_URL']) delete process.env[key]
    await sqs.close()
  })

  it('does what fits, hands the rest on in calls SQS takes, and the next invocations drain it: every job exactly once', async () => {
    const processed = new Map<string, number>()
    const processJob = async (job: { id: string }, signal: AbortSignal) => {
      await pause(100, signal)
      processed.set(job.id, (processed.get(job.id) ?? 0) + 1)
    }
    const { handler } = await runBlock('docs/recipes.md', 'recipe-sqs-continuation', { processJob })
    // 40 jobs; every second one carries 60 KB, so that calls are cut at 262,144 bytes, not at 10 entries.
    const ids = Array.from({ length: 40 }, (_, i) => `job-${i}`)
    const body = (id: string) => ({ id, attachment: Number(id.slice(4)) % 2 === 0 ? 'x'.repeat(60_000) : '' })
    // SendMessageBatch fails job-31 once (it is sent again) and job-37 every time (its original is reported).
    sqs.failEntry = (entry, attempt) => {
      const { id } = JSON.parse(entry.MessageBody) as { id: string }
      return (id === 'job-31' && attempt === 1) || id === 'job-37' ? 'InternalError' : undefined
    }

    // 4 s with a 1.5 s reserve: about 20 jobs of 100 ms fit before the cutoff at 2.5 s.
    const first = await invokeWithTimeout(handler as Handler, { Records: sqsRecords(ids, body) }, { timeoutMs: 4000 })
    expect(first.status).toBe('succeeded')
    const reported = failureIds(first.status === 'succeeded' ? first.response : undefined)
    expect(reported).toEqual(['msg-job-37'])
    expect(processed.size).toBeGreaterThan(5)
    expect(processed.size).toBeLessThan(30)
    const sends = sqs.calls.filter((call) => call.action === 'SendMessageBatch')
    expect(sends.every((call) => call.entries <= 10 && call.bytes <= 262_144)).toBe(true)
    expect(sends.some((call) => call.entries < 10 && call.bytes > 180_000)).toBe(true)
    // Handed on: every job neither done nor reported, each once.
    expect(
      sqs
        .waiting('jobs')
        .map((m) => (JSON.parse(m.body) as { id: string }).id)
        .sort(),
    ).toEqual(ids.filter((id) => !processed.has(id) && id !== 'job-37').sort())

    // The event source mapping: batches of up to 10 from the queue, the reported original delivered
    // again, the messages not reported deleted, the reported ones visible again.
    const client = new SQSClient({})
    let redelivered = sqsRecords(['job-37'], body)
    for (let round = 0; round < 10 && (sqs.waiting('jobs').length > 0 || redelivered.length > 0); round++) {
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl('jobs'), MaxNumberOfMessages: 10 }))
      const records = [
        ...redelivered,
        ...Messages.map(
          (m) => ({ ...sqsRecords([''])[0], messageId: m.MessageId, receiptHandle: m.ReceiptHandle, body: m.Body }) as SQSRecord,
        ),
      ]
      const outcome = await invokeWithTimeout(handler as Handler, { Records: records }, { timeoutMs: 4000 })
      const again = new Set(failureIds(outcome.status === 'succeeded' ? outcome.response : undefined))
      redelivered = redelivered.filter((record) => again.has(record.messageId))
      const fromQueue = Messages.filter((m) => !again.has(m.MessageId as string))
      if (fromQueue.length > 0)
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: sqs.queueUrl('jobs'),
            Entries: fromQueue.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle })),
          }),
        )
      for (const m of Messages) if (again.has(m.MessageId as string)) sqs.release('jobs', m.ReceiptHandle as string)
    }
    client.destroy()

    expect(sqs.waiting('jobs')).toEqual([])
    expect([...processed.keys()].sort()).toEqual([...ids].sort())
    expect([...processed.values()].every((count) => count === 1)).toBe(true)
  })
})
