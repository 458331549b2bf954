import { GetQueueUrlCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs'
import middy from '@middy/core'
import { type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { OutboundTimeoutError, outboundCallsOf } from '@middy-deadline/outbound-fetch-timeout'
import { type AwsSdkDeadlineOptions, awsSdkDeadlinePlugin } from '@middy-deadline/outbound-fetch-timeout/aws-sdk'
import { createLambdaContext } from '@middy-deadline/testing'
import type { FinalizeRequestMiddleware } from '@smithy/types'
import { describe, expect, it, vi } from 'vitest'
import { hardDeadlineNear } from '../../../test/support/hard-deadline.js'
import { captureStderr } from '../../../test/support/output.js'
import { pause } from '../../../test/support/pause.js'
import { localServer } from './server.js'

const server = localServer()

/** When each attempt of a client's sends started (performance.now()), as the client saw it. */
const attemptStarts = new WeakMap<SQSClient, number[]>()

/** A real SQS client of the SDK, pointed at the local server; only its endpoint path differs. */
function sqsClient(path: string, options: Partial<AwsSdkDeadlineOptions>, maxAttempts = 3, config: SQSClientConfig = {}) {
  const client = new SQSClient({
    endpoint: `${server.base}${path}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts,
    ...config,
  })
  client.middlewareStack.use(awsSdkDeadlinePlugin(client.config, options))
  // Inside the plugin's per-attempt step, in the same synchronous call: an attempt the plugin let
  // start, at the moment it decided. (When the request reached the server says more about the
  // machine's load than about that decision.)
  const starts: number[] = []
  attemptStarts.set(client, starts)
  const recordAttemptStart: FinalizeRequestMiddleware<object, object> = (next) => (args) => {
    starts.push(performance.now())
    return next(args)
  }
  client.middlewareStack.addRelativeTo(recordAttemptStart as never, {
    relation: 'after',
    toMiddleware: 'deadlineAttemptMiddleware',
    name: 'recordAttemptStart',
  })
  return client
}

const RESERVE_MS = 200

/** Sends one GetQueueUrl from inside a real middy invocation and reports how it ended. */
async function sendInInvocation(client: SQSClient, timeoutMs: number) {
  const handler = middy<unknown, unknown, Error, DeadlineContext>(
    async (_event: unknown, context: DeadlineContext) => {
      // Times are on the deadline's clock: ms since the invocation started.
      const started = performance.now() - context.deadline.elapsed()
      const starts = attemptStarts.get(client) ?? []
      const startsBefore = starts.length
      let pendingAtCutoff: unknown[] | undefined
      context.deadline.onCutoff((deadline) => {
        pendingAtCutoff = [...outboundCallsOf(deadline).pending]
      })
      // Whether the send settled before the cutoff, and before a timer due 10 ms before the hard
      // deadline: orderings that hold however late a loaded machine runs timers.
      const near = hardDeadlineNear(context.deadline)
      const when = () => ({
        afterMs: performance.now() - started,
        beforeCutoff: pendingAtCutoff === undefined,
        beforeHardDeadline: !near.passed,
      })
      try {
        const output = await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }))
        return { output, ...when(), calls: outboundCallsOf(context.deadline) }
      } catch (error) {
        return {
          error,
          ...when(),
          calls: outboundCallsOf(context.deadline),
          pendingAtCutoff,
          // When each attempt started, in ms before the invocation's cutoff.
          attemptsLeftMs: starts.slice(startsBefore).map((atMs) => timeoutMs - RESERVE_MS - (atMs - started)),
        }
      } finally {
        near.cancel()
      }
    },
    { timeoutEarlyInMillis: 0 },
  ).use(deadline({ reserveMs: RESERVE_MS }))
  return (await handler({}, createLambdaContext({ timeoutMs }))) as {
    output?: { QueueUrl?: string }
    error?: unknown
    afterMs: number
    beforeCutoff: boolean
    beforeHardDeadline: boolean
    calls: ReturnType<typeof outboundCallsOf>
    attemptsLeftMs: number[]
    pendingAtCutoff: unknown[] | undefined
  }
}

describe('awsSdkDeadlinePlugin with a real SQSClient', () => {
  it('leaves a healthy endpoint alone and records the send', async () => {
    const result = await sendInInvocation(sqsClient('/queue-url', {}), 1000)
    expect(result.output?.QueueUrl).toBe('http://127.0.0.1/q')
    expect(result.calls.recent).toEqual([
      expect.objectContaining({ kind: 'aws-sdk', label: 'SQS.GetQueueUrl', method: 'POST', outcome: 'ok', attempts: 1 }),
    ])
  })

  it('records the send by what describeTarget makes of each attempt’s request (here its path, beside the origin)', async () => {
    const describeTarget = (url: URL) => `${url.origin}${url.pathname}`
    const result = await sendInInvocation(sqsClient('/queue-url', { describeTarget }), 1000)
    expect(result.output?.QueueUrl).toBe('http://127.0.0.1/q')
    expect(result.calls.recent).toEqual([
      expect.objectContaining({ label: 'SQS.GetQueueUrl', url: `${server.base}/queue-url/`, outcome: 'ok' }),
    ])
  })

  it('cuts each attempt at the per-request limit and lets the SDK retry while there is time', async () => {
    const before = server.closedEarly()
    const result = await sendInInvocation(sqsClient('/never', { perRequestMs: 150, minimumMs: 50 }), 1400)
    expect(result.error).toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'operation', method: 'POST', label: 'SQS.GetQueueUrl' })
    expect(result.attemptsLeftMs).toHaveLength(3)
    // Three attempts of 150 ms and two short backoffs, all over before the cutoff; the sockets were
    // really closed.
    expect(result.afterMs).toBeGreaterThanOrEqual(440)
    expect(result.beforeCutoff).toBe(true)
    await vi.waitFor(() => expect(server.closedEarly() - before).toBe(3))
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'timeout', limit: 'operation', attempts: 3 })
  })

  it('cuts the attempt at the invocation cutoff and does not retry after it', async () => {
    const result = await sendInInvocation(sqsClient('/never', { perRequestMs: 5000 }), 500)
    expect(result.error).toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({ limit: 'cutoff' })
    expect(result.attemptsLeftMs).toHaveLength(1)
    // The timeout record, written at the cutoff, still sees the send in flight.
    expect(result.pendingAtCutoff).toEqual([expect.objectContaining({ kind: 'aws-sdk', label: 'SQS.GetQueueUrl', method: 'POST' })])
    // The cutoff is 300 ms after the start: not before it, and before the hard deadline.
    expect(result.afterMs).toBeGreaterThanOrEqual(280)
    expect(result.beforeHardDeadline).toBe(true)
  })

  it('cuts a response body that trickles, not only slow headers', async () => {
    const result = await sendInInvocation(sqsClient('/trickle/20', { perRequestMs: 200 }, 1), 1500)
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'operation' })
    expect(result.afterMs).toBeGreaterThanOrEqual(190)
    expect(result.beforeCutoff).toBe(true)
  })

  it('does not retry when the backoff would leave a further attempt less than minimumMs', async () => {
    // 503 at once, asking for a retry in 450 ms; the cutoff is 400 ms away and minimumMs is 100.
    const result = await sendInInvocation(sqsClient('/busy/450', { perRequestMs: 1000, minimumMs: 100 }), 600)
    expect(result.error).toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({ limit: 'cutoff' })
    expect((result.error as Error).message).toMatch(/not retried after 1 attempt/)
    expect((result.error as Error).cause).toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } })
    expect(result.attemptsLeftMs).toHaveLength(1)
    // The send, recorded as cut at the cutoff, and its error's time counted from the send's start.
    expect(result.calls.recent).toEqual([expect.objectContaining({ outcome: 'timeout', limit: 'cutoff', attempts: 1 })])
    expect((result.error as OutboundTimeoutError).elapsedMs).toBeLessThanOrEqual(Math.ceil(result.afterMs) + 1)
    // Given up when only minimumMs was left (300 ms after the start), before the cutoff.
    expect(result.afterMs).toBeGreaterThanOrEqual(280)
    expect(result.beforeCutoff).toBe(true)
  })

  it("records a service's own error, answered with time to spare, as an error call", async () => {
    const result = await sendInInvocation(sqsClient('/missing/0', { perRequestMs: 2000, minimumMs: 100 }), 2000)
    expect(result.error).toMatchObject({ name: 'QueueDoesNotExist' })
    expect(result.calls.recent).toEqual([expect.objectContaining({ kind: 'aws-sdk', outcome: 'error', attempts: 1 })])
  })

  it("keeps the service's own error when it comes after retries stopped fitting: no timeout is made up for it", async () => {
    // The cutoff is 800 ms after the start, retries stop fitting at 400 (minimumMs 400), and the
    // service answers QueueDoesNotExist at 600: a code that branches on that error must still see it.
    const result = await sendInInvocation(sqsClient('/missing/600', { perRequestMs: 5000, minimumMs: 400 }), 1000)
    expect(result.error).not.toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({ name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } })
    expect(result.afterMs).toBeGreaterThanOrEqual(590)
    expect(result.beforeCutoff).toBe(true)
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'error', attempts: 1 })
  })

  it('starts no attempt with less than minimumMs before the cutoff, whatever the backoffs', async () => {
    for (let run = 0; run < 3; run++) {
      const result = await sendInInvocation(sqsClient('/never', { perRequestMs: 150, minimumMs: 120 }), 600)
      expect(result.error).toMatchObject({ name: 'TimeoutError' })
      // Each attempt started with minimumMs left (the clock reads a few µs after the decision).
      expect(result.attemptsLeftMs.length).toBeGreaterThan(0)
      for (const leftMs of result.attemptsLeftMs) expect(leftMs).toBeGreaterThanOrEqual(120 - 1)
      // The cutoff is 400 ms after the start; the hard deadline 200 ms later.
      expect(result.beforeHardDeadline).toBe(true)
    }
  })

  it('refuses a send without minimumMs left before anything is sent', async () => {
    // 400 ms timeout - 200 ms reserve: 200 ms to the cutoff from the start, less than minimumMs.
    const client = sqsClient('/queue-url', { minimumMs: 250 })
    const handler = middy(async () => client.send(new GetQueueUrlCommand({ QueueName: 'orders' })).catch((error: unknown) => error)).use(
      deadline({ reserveMs: RESERVE_MS }),
    )
    const arrivalsBefore = server.arrivals.length
    const error = await handler({}, createLambdaContext({ timeoutMs: 400 }))
    expect(error).toMatchObject({ name: 'TimeoutError', sent: false, limit: 'cutoff' })
    expect(server.arrivals.length).toBe(arrivalsBefore)
  })

  it('refuses an attempt that would start with less than minimumMs, when the credentials inside the SDK’s retry took the time', async () => {
    // Resolved for the attempt, before the plugin's attempt step: an assumed role, say, in 700 ms.
    // The cutoff is 800 ms after the start.
    const credentials = async () => {
      await pause(700)
      return { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }
    }
    const arrivalsBefore = server.arrivals.length
    const result = await sendInInvocation(sqsClient('/queue-url', { minimumMs: 150 }, 3, { credentials }), 1000)
    expect(result.error).toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff', sent: false, method: 'POST', label: 'SQS.GetQueueUrl' })
    // Refused with less than minimumMs left, or, when a loaded machine ran the 700 ms pause past the
    // cutoff's time (nothing here arms its timer), because the cutoff has come: not sent either way.
    expect((result.error as Error).message).toMatch(
      /not sent: (\d+ ms left before the invocation cutoff, less than minimumMs \(150 ms\)|the invocation cutoff has been reached)$/,
    )
    expect(result.attemptsLeftMs).toEqual([])
    expect(server.arrivals.length).toBe(arrivalsBefore)
    expect(result.calls.recent).toEqual([expect.objectContaining({ outcome: 'timeout', limit: 'cutoff', attempts: 1 })])
  })

  it("keeps the caller's own abortSignal as the SDK's AbortError", async () => {
    const client = sqsClient('/never', {})
    const handler = middy(async (_event: unknown, context: DeadlineContext) => {
      const controller = new AbortController()
      // While the send is in flight: once the server has it.
      void server.nextArrival().then(() => controller.abort())
      const error = await client
        .send(new GetQueueUrlCommand({ QueueName: 'orders' }), { abortSignal: controller.signal })
        .catch((failure: unknown) => failure)
      return { error, calls: outboundCallsOf(context.deadline).recent }
    }).use(deadline({ reserveMs: RESERVE_MS }))
    const { error, calls } = await handler({}, createLambdaContext({ timeoutMs: 1000 }))
    expect(error).toMatchObject({ name: 'AbortError' })
    expect(error).not.toBeInstanceOf(OutboundTimeoutError)
    expect(calls).toEqual([expect.objectContaining({ kind: 'aws-sdk', outcome: 'aborted' })])
  })

  // Run once: a retry would count the sockets the first attempt left open.
  it("changes nothing outside an invocation: the caller's own abortSignal still aborts the request", { retry: 0 }, async () => {
    const client = sqsClient('/never', {}, 1)
    const controller = new AbortController()
    // Once the server has the request: the socket must be aborted by the caller's signal itself.
    void server.nextArrival().then(() => controller.abort())
    const closedBefore = server.closedEarly()
    const error = await client
      .send(new GetQueueUrlCommand({ QueueName: 'orders' }), { abortSignal: controller.signal })
      .catch((failure: unknown) => failure)
    expect(error).toMatchObject({ name: 'AbortError' })
    await vi.waitFor(() => expect(server.closedEarly()).toBe(closedBefore + 1))
  })

  it('given a config without a request handler, says once that sockets are not aborted, and still ends the send at the deadline', async () => {
    const stderr = captureStderr()
    const client = new SQSClient({
      endpoint: `${server.base}/never`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    })
    let result: Awaited<ReturnType<typeof sendInInvocation>>
    try {
      client.middlewareStack.use(awsSdkDeadlinePlugin({}))
      client.middlewareStack.use(awsSdkDeadlinePlugin({}))
      result = await sendInInvocation(client, 500)
    } finally {
      client.destroy()
    }
    expect(stderr.lines()).toEqual([
      {
        level: 'WARN',
        package: '@middy-deadline/outbound-fetch-timeout',
        message:
          'awsSdkDeadlinePlugin: the client config has no request handler to wrap; attempts are raced against the deadline but their sockets are not aborted',
      },
    ])
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
    // The cutoff: 500 ms less the reserve; not before it, and before the hard deadline.
    expect(result.afterMs).toBeGreaterThanOrEqual(500 - RESERVE_MS - 20)
    expect(result.beforeHardDeadline).toBe(true)
  })

  it('given a frozen request handler, says once that sockets are not aborted, and leaves the handler as it was', () => {
    const stderr = captureStderr()
    const handle = async () => ({ response: {} })
    const requestHandler = Object.freeze({ handle })
    const client = sqsClient('/queue-url', {})
    try {
      client.middlewareStack.use(awsSdkDeadlinePlugin({ requestHandler }))
      client.middlewareStack.use(awsSdkDeadlinePlugin({ requestHandler }))
    } finally {
      client.destroy()
    }
    expect(requestHandler.handle).toBe(handle)
    expect(stderr.lines().map((line) => line.message)).toEqual([
      'awsSdkDeadlinePlugin: the request handler cannot be wrapped (frozen); attempts are raced against the deadline but their sockets are not aborted',
    ])
  })

  it('changes nothing outside an invocation, and wraps the request handler once however often it is applied', async () => {
    const client = sqsClient('/queue-url', { perRequestMs: 100 })
    const wrapped = client.config.requestHandler
    client.middlewareStack.use(awsSdkDeadlinePlugin(client.config, { perRequestMs: 100 }))
    expect(client.config.requestHandler).toBe(wrapped)
    const names = client.middlewareStack.identify().filter((name) => name.startsWith('deadline') || name.startsWith('record'))
    expect(names).toEqual([
      'deadlineSendMiddleware - initialize',
      'deadlineAttemptMiddleware - finalizeRequest',
      // This file's own recorder: inside the plugin's per-attempt step.
      'recordAttemptStart - after deadlineAttemptMiddleware',
      'deadlineSignalMiddleware - deserialize',
    ])
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl).toBe('http://127.0.0.1/q')
  })
})
