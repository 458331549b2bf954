import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A local stand-in for Amazon SQS, speaking the JSON protocol the AWS SDK v3 client uses (AWS JSON
 * 1.0: a POST with `X-Amz-Target: AmazonSQS.<Action>` and a JSON body), with its queues in memory.
 * No SQS emulator can be installed on these machines (ElasticMQ and LocalStack come from container
 * registries and Maven, not npm or Debian), so the recipe's test talks to this instead, through the
 * real `@aws-sdk/client-sqs`.
 *
 * Only what the recipes need, as the SQS API reference documents it:
 * - `SendMessageBatch`: at most 10 entries (`TooManyEntriesInBatchRequest`), ids distinct
 *   (`BatchEntryIdsNotDistinct`), the bodies at most 262,144 bytes together (`BatchRequestTooLong`),
 *   not empty (`EmptyBatchRequest`); each entry answered in `Successful` (with the MD5 of its body,
 *   which the client checks) or `Failed` (a test can make entries fail, `failEntry`).
 * - `ReceiveMessage` (up to `MaxNumberOfMessages`, at most 10; each message then in flight until it
 *   is deleted) and `DeleteMessageBatch`.
 * Errors are answered as the JSON protocol does: status 400, `__type` with the error's shape name.
 */
export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: the endpoint, and the prefix of every queue URL. */
  readonly endpoint: string
  queueUrl(name: string): string
  /** Messages waiting (not in flight) in a queue, oldest first. */
  waiting(name: string): { body: string }[]
  /** Every call received, in order: the action and its entry count. */
  readonly calls: { action: string; entries: number; bytes: number }[]
  /** Makes a message received and not deleted visible again, as its visibility timeout would. */
  release(name: string, receiptHandle: string): void
  /** Decides, per entry of a SendMessageBatch, to fail it (return its error code) or not. */
  failEntry: (entry: { Id: string; MessageBody: string }, attempt: number) => string | undefined
  close(): Promise<void>
}

interface Message {
  id: string
  body: string
  receiptHandle: string | undefined
}

const MAX_ENTRIES = 10
const MAX_BATCH_BYTES = 262_144

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message)
  }
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex')

export async function startLocalSqs(): Promise<LocalSqs> {
  const queues = new Map<string, Message[]>()
  const attempts = new Map<string, number>()
  const queueOf = (url: unknown): Message[] => {
    const name = typeof url === 'string' ? url.split('/').pop() : undefined
    if (name === undefined || name === '') throw new SqsError('QueueDoesNotExist', `no such queue: ${String(url)}`)
    const queue = queues.get(name) ?? []
    queues.set(name, queue)
    return queue
  }

  const actions: Record<string, (body: Record<string, unknown>) => unknown> = {
    SendMessageBatch(body) {
      const queue = queueOf(body.QueueUrl)
      const entries = (body.Entries ?? []) as { Id: string; MessageBody: string }[]
      if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'The batch request does not contain any entries.')
      if (entries.length > MAX_ENTRIES)
        throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_ENTRIES}.`)
      if (new Set(entries.map((entry) => entry.Id)).size !== entries.length)
        throw new SqsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.')
      const bytes = entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody), 0)
      if (bytes > MAX_BATCH_BYTES)
        throw new SqsError(
          'BatchRequestTooLong',
          `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${bytes} bytes.`,
        )
      const Successful: unknown[] = []
      const Failed: unknown[] = []
      for (const entry of entries) {
        const attempt = (attempts.get(entry.MessageBody) ?? 0) + 1
        attempts.set(entry.MessageBody, attempt)
        const code = local.failEntry(entry, attempt)
        if (code !== undefined) {
          Failed.push({ Id: entry.Id, Code: code, SenderFault: false, Message: 'failed by the test' })
          continue
        }
        const id = randomUUID()
        queue.push({ id, body: entry.MessageBody, receiptHandle: undefined })
        Successful.push({ Id: entry.Id, MessageId: id, MD5OfMessageBody: md5(entry.MessageBody) })
      }
      return { Successful, Failed }
    },
    ReceiveMessage(body) {
      const queue = queueOf(body.QueueUrl)
      const max = Math.min(MAX_ENTRIES, Number(body.MaxNumberOfMessages ?? 1))
      const Messages = queue
        .filter((message) => message.receiptHandle === undefined)
        .slice(0, max)
        .map((message) => {
          message.receiptHandle = randomUUID()
          return { MessageId: message.id, ReceiptHandle: message.receiptHandle, MD5OfBody: md5(message.body), Body: message.body }
        })
      return { Messages }
    },
    DeleteMessageBatch(body) {
      const queue = queueOf(body.QueueUrl)
      const entries = (body.Entries ?? []) as { Id: string; ReceiptHandle: string }[]
      const Successful: unknown[] = []
      const Failed: unknown[] = []
      for (const entry of entries) {
        const index = queue.findIndex((message) => message.receiptHandle === entry.ReceiptHandle)
        if (index === -1) Failed.push({ Id: entry.Id, Code: 'ReceiptHandleIsInvalid', SenderFault: true })
        else {
          queue.splice(index, 1)
          Successful.push({ Id: entry.Id })
        }
      }
      return { Successful, Failed }
    },
  }

  const calls: LocalSqs['calls'] = []
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    let text = ''
    for await (const chunk of request) text += chunk
    const action = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '')
    response.setHeader('content-type', 'application/x-amz-json-1.0')
    try {
      const handle = actions[action]
      if (handle === undefined) throw new SqsError('UnsupportedOperation', `${action} is not supported here`)
      const body = JSON.parse(text) as Record<string, unknown>
      const entries = Array.isArray(body.Entries) ? (body.Entries as { MessageBody?: string }[]) : []
      calls.push({
        action,
        entries: entries.length,
        bytes: entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? ''), 0),
      })
      response.end(JSON.stringify(handle(body)))
    } catch (error) {
      const { type, message } = error instanceof SqsError ? error : new SqsError('InternalError', String(error))
      response.statusCode = 400
      response.end(JSON.stringify({ __type: `com.amazonaws.sqs#${type}`, message }))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const local: LocalSqs = {
    endpoint,
    queueUrl: (name) => `${endpoint}/123456789012/${name}`,
    waiting: (name) => (queues.get(name) ?? []).filter((message) => message.receiptHandle === undefined).map(({ body }) => ({ body })),
    calls,
    release(name, receiptHandle) {
      const message = queues.get(name)?.find((candidate) => candidate.receiptHandle === receiptHandle)
      if (message !== undefined) message.receiptHandle = undefined
    },
    failEntry: () => undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return local
}
