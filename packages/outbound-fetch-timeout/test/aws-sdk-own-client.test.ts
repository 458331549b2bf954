import middy from '@middy/core'
import { type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { outboundCallsOf } from '@middy-deadline/outbound-fetch-timeout'
import { type AwsSdkDeadlineOptions, awsSdkDeadlinePlugin } from '@middy-deadline/outbound-fetch-timeout/aws-sdk'
import { createLambdaContext } from '@middy-deadline/testing'
import { Client, Command } from '@smithy/core/client'
import type { Handler, HandlerExecutionContext, MetadataBearer, MiddlewareStack } from '@smithy/types'
import { describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'
import { watchTimers } from '../../../test/support/timers.js'

// A Smithy client of one's own rather than one of the AWS SDK's generated ones: its commands carry
// the names their author gave them (or none), and build whatever request object they like. The
// plugin labels and describes each call by what is there.

type Names = Pick<HandlerExecutionContext, 'clientName' | 'commandName'>

interface OwnConfig {
  readonly apiVersion: string
  requestHandler: { handle(request: unknown): Promise<{ response: unknown }> }
}

/** A command whose execution context holds `names` and whose request is `request`, as built. */
class Ping extends Command<object, MetadataBearer, OwnConfig> {
  readonly input = {}

  constructor(
    private readonly names: Names,
    private readonly request: object,
  ) {
    super()
  }

  resolveMiddleware(clientStack: MiddlewareStack<object, MetadataBearer>, config: OwnConfig): Handler<object, MetadataBearer> {
    const stack = clientStack.concat(this.middlewareStack)
    stack.add((next) => (args) => next({ ...args, request: this.request }), { step: 'serialize', name: 'serializePing' })
    stack.add(
      (next) => async (args) => {
        const { response } = await next(args)
        return { response, output: { $metadata: {} } }
      },
      { step: 'deserialize', name: 'deserializePing' },
    )
    return stack.resolve((args) => config.requestHandler.handle(args.request) as never, this.names as HandlerExecutionContext) as Handler<
      object,
      MetadataBearer
    >
  }
}

/** A client with the plugin whose request handler answers at once, with `body()` as the response's body (or as `handle` says). */
function ownClient(
  options: Partial<AwsSdkDeadlineOptions>,
  body: () => unknown = () => undefined,
  handle: OwnConfig['requestHandler']['handle'] = async () => ({ response: { statusCode: 200, headers: {}, body: body() } }),
) {
  const config: OwnConfig = { apiVersion: '2026-12-02', requestHandler: { handle } }
  const client = new Client<unknown, object, MetadataBearer, OwnConfig>(config)
  client.middlewareStack.use(awsSdkDeadlinePlugin(client.config, options))
  return client
}

/** Sends one Ping in an invocation; returns the call as recorded. */
async function recordedPing(names: Names, request: object, options: Partial<AwsSdkDeadlineOptions> = {}) {
  const client = ownClient(options)
  const handler = middy(async (_event: unknown, context: DeadlineContext) => {
    await client.send(new Ping(names, request))
    return outboundCallsOf(context.deadline).recent
  }).use(deadline())
  const [call, ...more] = await handler({}, createLambdaContext({ timeoutMs: 2000 }))
  expect(more).toEqual([])
  return call
}

/** Sends one Ping in an invocation: how many timers `send` left armed (answered or failed), and how many the invocation did. */
async function timersAroundPing(client: ReturnType<typeof ownClient>) {
  // Middy's own early timeout is off: it arms its timer only once the handler has started.
  const handler = middy(
    async (_event: unknown, context: DeadlineContext) => {
      // The deadline arms a timer of its own once anything needs its cutoff (a send does): armed
      // here first, so that only what the send leaves is counted.
      context.deadline.onCutoff(() => {})
      const bySend = watchTimers()
      await client.send(new Ping({}, REQUEST)).catch(() => undefined)
      return bySend.left()
    },
    { timeoutEarlyInMillis: 0 },
  ).use(deadline())
  const byInvocation = watchTimers()
  const armedBySend = await handler({}, createLambdaContext({ timeoutMs: 2000 }))
  return { armedBySend, leftByInvocation: await byInvocation.left() }
}

const REQUEST = { method: 'POST', protocol: 'http:', hostname: 'orders.internal', port: 8080, path: '/ping' }

describe('awsSdkDeadlinePlugin on a Smithy client of your own', () => {
  it.each([
    ['both names', { clientName: 'OrdersClient', commandName: 'PingCommand' }, 'Orders.Ping'],
    ['only a command name', { commandName: 'PingCommand' }, 'Ping'],
    ['only a client name', { clientName: 'OrdersClient' }, 'Orders'],
    [
      'names that hold the suffix elsewhere too',
      { clientName: 'ClientRegistryClient', commandName: 'CommandListCommand' },
      'ClientRegistry.CommandList',
    ],
    ['no names', {}, 'aws-sdk'],
    ["empty names (Smithy's command builder without `.n()`)", { clientName: '', commandName: '' }, 'aws-sdk'],
  ])('labels the call by what the command is called, given %s', async (_case, names, label) => {
    expect(await recordedPing(names, REQUEST)).toMatchObject({
      kind: 'aws-sdk',
      label,
      method: 'POST',
      url: 'http://orders.internal:8080',
      outcome: 'ok',
    })
  })

  it('describes a request without protocol or path as HTTPS at the root, and one without a hostname by its method alone', async () => {
    const names = { clientName: 'OrdersClient', commandName: 'PingCommand' }
    const describeTarget = (url: URL) => url.href
    expect(await recordedPing(names, { method: 'POST', hostname: 'orders.internal' })).toMatchObject({ url: 'https://orders.internal' })
    expect(await recordedPing(names, { method: 'POST', hostname: 'orders.internal' }, { describeTarget })).toMatchObject({
      url: 'https://orders.internal/',
    })
    expect(await recordedPing(names, { method: 'POST' }, { describeTarget })).toMatchObject({
      label: 'Orders.Ping',
      method: 'POST',
      url: undefined,
    })
  })

  it('shows a request whose host no URL can hold by its origin, even with describeTarget', async () => {
    const describeTarget = (url: URL) => url.href
    const call = await recordedPing(
      { commandName: 'PingCommand' },
      { method: 'GET', hostname: 'orders internal', path: '/ping' },
      { describeTarget },
    )
    expect(call).toMatchObject({ label: 'Ping', method: 'GET', url: 'https://orders internal', outcome: 'ok' })
  })

  it('answers a send whose request handler gives no response (a stub of the handler, as in tests), and records it', async () => {
    const client = ownClient({}, undefined, async () => ({ response: undefined }))
    const handler = middy(async (_event: unknown, context: DeadlineContext) => {
      const output = await client.send(new Ping({ commandName: 'PingCommand' }, REQUEST))
      return { output, calls: outboundCallsOf(context.deadline).recent }
    }).use(deadline())
    const { output, calls } = await handler({}, createLambdaContext({ timeoutMs: 2000 }))
    expect(output).toEqual({ $metadata: {} })
    expect(calls).toEqual([expect.objectContaining({ label: 'Ping', outcome: 'ok' })])
  })

  it("leaves a send with the SDK's old AbortSignal shim (no addEventListener) as it is: answered, neither bounded nor recorded", async () => {
    const shim = { aborted: false, onabort: null }
    const client = ownClient({})
    const handler = middy(async (_event: unknown, context: DeadlineContext) => {
      const names = { commandName: 'PingCommand', __smithy_context: { abortSignal: shim } } as unknown as Names
      const output = await client.send(new Ping(names, REQUEST))
      return { output, calls: outboundCallsOf(context.deadline) }
    }).use(deadline())
    const { output, calls } = await handler({}, createLambdaContext({ timeoutMs: 2000 }))
    expect(output).toEqual({ $metadata: {} })
    expect(calls.counts.started).toBe(0)
  })

  it('refuses a send without minimumMs left, and records it once, as an aws-sdk call cut at the cutoff', async () => {
    let handled = 0
    const client = ownClient({ minimumMs: 1000, perRequestMs: 5000 }, undefined, async () => {
      handled++
      return { response: { statusCode: 200, headers: {} } }
    })
    // 1200 ms timeout, 500 ms reserve: 700 ms to the cutoff, less than minimumMs.
    const handler = middy(async (_event: unknown, context: DeadlineContext) => {
      const error = await client.send(new Ping({ commandName: 'PingCommand' }, REQUEST)).catch((failure: unknown) => failure)
      return { error, calls: outboundCallsOf(context.deadline) }
    }).use(deadline({ reserveMs: 500 }))
    const { error, calls } = await handler({}, createLambdaContext({ timeoutMs: 1200 }))
    expect(error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff', sent: false })
    expect(handled).toBe(0)
    expect(calls.counts).toMatchObject({ started: 1, timeout: 1 })
    expect(calls.recent).toEqual([expect.objectContaining({ kind: 'aws-sdk', label: 'Ping', outcome: 'timeout', limit: 'cutoff' })])
  })

  it('says once that it cannot wrap a request handler without a handle method, and sends go on as without it', () => {
    const stderr = captureStderr()
    const requestHandler = {}
    const client = new Client<unknown, object, MetadataBearer, OwnConfig>({ apiVersion: '2026-12-02', requestHandler } as never)
    client.middlewareStack.use(awsSdkDeadlinePlugin({ requestHandler }))
    client.middlewareStack.use(awsSdkDeadlinePlugin({ requestHandler }))
    expect(requestHandler).toEqual({})
    expect(stderr.lines().map((line) => line.message)).toEqual([
      'awsSdkDeadlinePlugin: the client config has no request handler to wrap; attempts are raced against the deadline but their sockets are not aborted',
    ])
  })

  it('wraps the request handler once: applied again, by this client or another one sharing the handler, it leaves its handle as it was', () => {
    const client = ownClient({})
    const { handle } = client.config.requestHandler
    client.middlewareStack.use(awsSdkDeadlinePlugin(client.config))
    const other = new Client<unknown, object, MetadataBearer, OwnConfig>(client.config)
    other.middlewareStack.use(awsSdkDeadlinePlugin(other.config))
    expect(client.config.requestHandler.handle).toBe(handle)
  })
})

// Run once: the checks count timers (test/support/timers.ts), and a count is a check of state that a retry may not start from.
describe("awsSdkDeadlinePlugin on a Smithy client of your own: the attempt's per-request limit once send returned", { retry: 0 }, () => {
  it('is released at once for a response without a body to read', async () => {
    expect(await timersAroundPing(ownClient({ perRequestMs: 5000 }))).toEqual({ armedBySend: 0, leftByInvocation: 0 })
  })

  it('is released at once when the attempt fails', async () => {
    const failing = ownClient({ perRequestMs: 5000 }, undefined, async () => {
      throw Object.assign(new Error('connection reset'), { name: 'ECONNRESET' })
    })
    expect(await timersAroundPing(failing)).toEqual({ armedBySend: 0, leftByInvocation: 0 })
  })

  it.each([
    ['already read to its end', { readableEnded: true, destroyed: false }],
    ['already destroyed', { readableEnded: false, destroyed: true }],
  ])('is released at once for a Node stream body %s', async (_case, state) => {
    const body = () => ({ ...state, once: () => {} })
    expect(await timersAroundPing(ownClient({ perRequestMs: 5000 }, body))).toEqual({ armedBySend: 0, leftByInvocation: 0 })
  })

  it('stays armed for a Node stream body until it closes', async () => {
    const closers: (() => void)[] = []
    const body = () => ({
      readableEnded: false,
      destroyed: false,
      once: (event: string, close: () => void) => event === 'close' && closers.push(close),
    })
    const client = ownClient({ perRequestMs: 5000 }, body)
    const handler = middy(
      async (_event: unknown, context: DeadlineContext) => {
        context.deadline.onCutoff(() => {})
        const untilOpen = watchTimers()
        const untilClosed = watchTimers()
        await client.send(new Ping({}, REQUEST))
        const whileOpen = await untilOpen.left()
        for (const close of closers) close()
        return { whileOpen, afterClose: await untilClosed.left() }
      },
      { timeoutEarlyInMillis: 0 },
    ).use(deadline())
    expect(await handler({}, createLambdaContext({ timeoutMs: 2000 }))).toEqual({ whileOpen: 1, afterClose: 0 })
  })

  it('stays armed for a body that is a web stream (its end cannot be seen from outside), until the invocation ends', async () => {
    const body = () => new ReadableStream({ start: (controller) => controller.close() })
    expect(await timersAroundPing(ownClient({ perRequestMs: 5000 }, body))).toEqual({ armedBySend: 1, leftByInvocation: 0 })
  })
})
