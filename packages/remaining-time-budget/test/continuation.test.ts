import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs'
import middy from '@middy/core'
import type { DeadlineContext } from '@middy-deadline/deadline'
import { budgetRunner, ContinuationError, remainingTimeBudget } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sleep } from './events.js'
import { reenqueueTo } from './sqs-continuation.js'

// A local stand-in for the SQS endpoint (AWS JSON 1.0 protocol, as @aws-sdk/client-sqs speaks
// it): the real client serialises and sends, no AWS account needed.
interface Received {
  target: string | undefined
  body: { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] }
}
let server: Server
let endpoint: string
const received: Received[] = []
let failNext = false

const readBody = async (request: IncomingMessage) => {
  let text = ''
  for await (const chunk of request) text += chunk
  return JSON.parse(text)
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = await readBody(request)
    received.push({ target: request.headers['x-amz-target'] as string | undefined, body })
    const entries: Received['body']['Entries'] = body.Entries
    const failed = failNext ? [entries[0]?.Id] : []
    failNext = false
    // the client checks the MD5 of each body it sent, as SQS returns it
    const md5 = (text: string) => createHash('md5').update(text).digest('hex')
    response.setHeader('content-type', 'application/x-amz-json-1.0')
    response.end(
      JSON.stringify({
        Successful: entries
          .filter((e) => !failed.includes(e.Id))
          .map((e) => ({ Id: e.Id, MessageId: `new-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })),
        Failed: failed.map((Id) => ({ Id, Code: 'InternalError', SenderFault: false })),
      }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // The SDK's first send in a process loads its serialisers and signer: at load 12 that took longer
  // than the 250 ms the recipe gives the send in the reserve (AbortError: Request aborted), and the
  // aborted request then reached the server during the next test. That is the process's cold start,
  // which Lambda's init absorbs, not the recipe: it happens once, before the tests.
  await client().send(new SendMessageBatchCommand({ QueueUrl: QUEUE_URL, Entries: [{ Id: 'warm-up', MessageBody: '{}' }] }))
  received.length = 0
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs'
const client = () =>
  new SQSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })

interface Job {
  id: number
}

describe('continuation: re-enqueue the rest to SQS (recipe)', () => {
  const runner = budgetRunner({ expectedMs: 40, estimator: false })

  // The recipe reserves 1500 ms; 600 here (with a 1200 ms budget) leaves the sends 550 ms, which
  // 300 (250 ms for two or three sends) did not always give them at load 15-17.
  const handlerFor = (sqs: SQSClient) =>
    middy(async (event: { jobs: Job[] }, context: DeadlineContext) => {
      const run = await runner(event.jobs, (_job, { signal }) => sleep(40, signal), {
        // the send runs after the cutoff, inside the reserve: bound it by the hard deadline
        continueWith: reenqueueTo(sqs, QUEUE_URL, () =>
          AbortSignal.timeout(Math.max(1, Math.floor(context.deadline.remainingToHardDeadline() - 50))),
        ),
      })
      return { status: run.complete ? 'complete' : 'incomplete', cursor: run.cursor, continued: run.continued }
    }).use(remainingTimeBudget({ reserveMs: 600 }))

  it('sends what did not fit to the queue, 10 per call, and says the run is incomplete', async () => {
    received.length = 0
    const jobs = Array.from({ length: 30 }, (_, id) => ({ id }))
    const result = await handlerFor(client())({ jobs }, createLambdaContext({ timeoutMs: 1200 }))
    expect(result.status).toBe('incomplete')
    expect(result.continued).toBe(true)
    const cursor = result.cursor as number
    expect(cursor).toBeGreaterThan(0)
    expect(received.every((r) => r.target === 'AmazonSQS.SendMessageBatch' && r.body.QueueUrl === QUEUE_URL)).toBe(true)
    expect(received.every((r) => r.body.Entries.length <= 10)).toBe(true)
    const resent = received.flatMap((r) => r.body.Entries.map((e) => JSON.parse(e.MessageBody) as Job))
    expect(resent).toEqual(jobs.slice(cursor))
  })

  it('fails the invocation when SQS refuses part of the rest, so nothing is lost silently', async () => {
    received.length = 0
    failNext = true
    const jobs = Array.from({ length: 30 }, (_, id) => ({ id }))
    const failure = handlerFor(client())({ jobs }, createLambdaContext({ timeoutMs: 1200 }))
    await expect(failure).rejects.toBeInstanceOf(ContinuationError)
    await expect(failure).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/SQS refused 1 of 10 messages: InternalError/) },
    })
  })
})
