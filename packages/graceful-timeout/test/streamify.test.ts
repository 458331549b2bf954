import { PassThrough } from 'node:stream'
import middy from '@middy/core'
import type { DeadlineContext } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureStdoutInEachTest, overrunsHonouringSignal } from './capture.js'

// Lambda's runtime provides `awslambda` for response streaming; here, the smallest stand-in.
type Globals = { awslambda?: unknown }
beforeAll(() => {
  ;(globalThis as Globals).awslambda = {
    streamifyResponse: <T>(fn: T) => fn,
    HttpResponseStream: { from: (stream: PassThrough) => stream },
  }
})
afterAll(() => {
  delete (globalThis as Globals).awslambda
})

const stdout = captureStdoutInEachTest()

async function streamingOptions(): Promise<object> {
  // Middy 6 switched streaming on with a flag; Middy 7 with an execution mode.
  if (process.env.MIDDY_MAJOR === '6') return { streamifyResponse: true }
  const { executionModeStreamifyResponse } = await import('@middy/core/executionModeStreamifyResponse')
  return { executionMode: executionModeStreamifyResponse }
}

type StreamHandler = (event: unknown, stream: PassThrough, context: DeadlineContext) => Promise<void>

async function invokeStreaming(handler: StreamHandler, timeoutMs: number) {
  const stream = new PassThrough()
  const chunks: string[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
  const context = createLambdaContext<DeadlineContext>({ timeoutMs })
  const result = await handler({}, stream, context).then(
    () => 'ok',
    (error: Error) => error.name,
  )
  return { result, body: chunks.join(''), deadline: context.deadline }
}

describe('gracefulTimeout with response streaming', () => {
  it('composes: an invocation in time streams its body', async () => {
    const handler = middy(async () => 'streamed body', await streamingOptions()).use(gracefulTimeout({ reserveMs: 200 }))
    const { result, body, deadline } = await invokeStreaming(handler as unknown as StreamHandler, 400)
    expect(result).toBe('ok')
    expect(body).toBe('streamed body')
    expect(deadline.ended).toBe(true)
  })

  it('streams the timeoutResponse of a timed-out invocation', async () => {
    const handler = middy(overrunsHonouringSignal, await streamingOptions()).use(
      gracefulTimeout({ reserveMs: 200, timeoutResponse: () => 'partial: 3 of 10 rows' }),
    )
    const { result, body } = await invokeStreaming(handler as unknown as StreamHandler, 400)
    expect(result).toBe('ok')
    expect(body).toBe('partial: 3 of 10 rows')
    expect(stdout.records()).toHaveLength(1)
  })

  it('rejects with the TimeoutError by default', async () => {
    const handler = middy(overrunsHonouringSignal, await streamingOptions()).use(gracefulTimeout({ reserveMs: 200 }))
    const { result } = await invokeStreaming(handler as unknown as StreamHandler, 400)
    expect(result).toBe('TimeoutError')
  })
})
