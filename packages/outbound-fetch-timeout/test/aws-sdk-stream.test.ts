import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import middy from '@middy/core'
import { type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { outboundCallsOf } from '@middy-deadline/outbound-fetch-timeout'
import { awsSdkDeadlinePlugin } from '@middy-deadline/outbound-fetch-timeout/aws-sdk'
import { createLambdaContext } from '@middy-deadline/testing'
import { FetchHttpHandler } from '@smithy/fetch-http-handler'
import { beforeAll, describe, expect, it } from 'vitest'
import { watchTimers } from '../../../test/support/timers.js'
import { localServer } from './server.js'

const server = localServer()

// Node's first fetch loads and compiles undici (300-400 ms on a loaded machine): the runtime's cold
// start, before the invocations, not within FetchHttpHandler's first send.
beforeAll(async () => {
  await (await fetch(`${server.base}/ok`)).text()
})

/**
 * A real S3 client of the SDK, path-style against the local server: bucket and key make the path.
 * Its request handler is the SDK's default for Node (NodeHttpHandler: Body a Node stream), or its
 * fetch-based one (the browser's, an option on Lambda: Body a web stream).
 */
function s3Client(perRequestMs: number, requestHandler?: FetchHttpHandler) {
  const client = new S3Client({
    endpoint: server.base,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler,
  })
  client.middlewareStack.use(awsSdkDeadlinePlugin(client.config, { perRequestMs }))
  return client
}

/** GetObject of `/<bucket>/<key>` in an invocation (cutoff 200 ms before the hard deadline), its body read after `send` returned. */
async function getObject(client: S3Client, bucket: string, key: string, timeoutMs: number) {
  const handler = middy<unknown, unknown, Error, DeadlineContext>(
    async (_event: unknown, context: DeadlineContext) => {
      let cutoffCame = false
      context.deadline.onCutoff(() => {
        cutoffCame = true
      })
      // Timers armed from the send on and still armed: once it returned (the body unread), and once the body was read.
      const untilSent = watchTimers()
      const untilRead = watchTimers()
      const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      const sentAtMs = context.deadline.elapsed()
      const timersWhileUnread = await untilSent.left()
      try {
        const text = await output.Body?.transformToString()
        return { text, sentAtMs, timersWhileUnread, timersAfterRead: await untilRead.left(), calls: outboundCallsOf(context.deadline) }
      } catch (error) {
        const readEndedAtMs = context.deadline.elapsed()
        return {
          error,
          sentAtMs,
          readEndedAtMs,
          beforeCutoff: !cutoffCame,
          timersAfterRead: await untilRead.left(),
          calls: outboundCallsOf(context.deadline),
        }
      }
    },
    { timeoutEarlyInMillis: 0 },
  ).use(deadline({ reserveMs: 200 }))
  return (await handler({}, createLambdaContext({ timeoutMs }))) as Record<string, unknown>
}

describe.each([
  ['NodeHttpHandler', () => undefined],
  ['FetchHttpHandler', () => new FetchHttpHandler()],
])('awsSdkDeadlinePlugin with a streamed output (S3 GetObject) on %s', (_handler, requestHandler) => {
  it('keeps the attempt bounded while its Body is read after send returned: a body that trickles is cut at the per-request limit', async () => {
    // The handler's first send loads and compiles code (send returned 430 ms in at load 8-12): a
    // cold start, done before the invocation under test, as Lambda's init would.
    await getObject(s3Client(5000, requestHandler()), 'ok', 'report.csv', 2000)
    // `/trickle/20`: headers at once, then a byte every 20 ms, never ending.
    const result = await getObject(s3Client(300, requestHandler()), 'trickle', '20', 2000)
    expect(result.error).toBeInstanceOf(Error)
    // send returned at the headers (the call ended `ok`); the read was cut no sooner than 300 ms
    // after the attempt started (a timer is early by 1 ms at most), on the deadline's clock, and
    // before the cutoff (1800 ms). Not "send returned within 300 ms of the invocation's start": the
    // SDK's own work before the attempt counts there.
    const [call] = (result.calls as ReturnType<typeof outboundCallsOf>).recent
    expect(call).toMatchObject({ kind: 'aws-sdk', label: 'S3.GetObject', outcome: 'ok' })
    expect((result.readEndedAtMs as number) - (call?.startMs as number)).toBeGreaterThanOrEqual(299)
    expect(result.beforeCutoff).toBe(true)
  })
})

describe('awsSdkDeadlinePlugin with a streamed output (S3 GetObject)', () => {
  // Run once: a retry would not start where the first attempt did (sockets kept alive by the first).
  it('releases the attempt as soon as its Body has been read to the end: its timer no longer armed', { retry: 0 }, async () => {
    const result = await getObject(s3Client(5000), 'ok', 'report.csv', 2000)
    expect(result.text).toBe('ok')
    // The attempt's per-request limit, armed while the body is unread, and no longer once it is read;
    // the others are the HTTP agent's own (2-3 here: its sockets' timeouts).
    expect(result.timersAfterRead).toBe((result.timersWhileUnread as number) - 1)
    expect((result.calls as ReturnType<typeof outboundCallsOf>).recent).toEqual([
      expect.objectContaining({ kind: 'aws-sdk', label: 'S3.GetObject', method: 'GET', outcome: 'ok' }),
    ])
  })
})
