import { invokeWithTimeout, type LambdaHandler } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { runBlock } from './run.ts'

type Handler = LambdaHandler<unknown, unknown>

describe('docs blocks marked to run', () => {
  it('graceful-timeout.md http-504: a handler that never answers gets a 504 instead of being killed', async () => {
    const { handler } = await runBlock('docs/graceful-timeout.md', 'http-504', { app: () => new Promise(() => {}) })
    const outcome = await invokeWithTimeout(handler as Handler, {}, { timeoutMs: 1200 })
    // @middy/http-error-handler's answer for our GracefulTimeoutError (statusCode 504, expose: true).
    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 504, body: expect.stringMatching(/^Timed out/) } })
  })

  it('runs a block with the stand-ins of the prelude when the test brings none', async () => {
    const { handler } = await runBlock('docs/graceful-timeout.md', 'http-504')
    const outcome = await invokeWithTimeout(handler as Handler, {}, { timeoutMs: 1200 })
    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 200, body: 'ok' } })
  })

  it('refuses a block name the file does not have', async () => {
    await expect(runBlock('docs/graceful-timeout.md', 'no-such-block')).rejects.toThrow('has no block marked <!-- run: no-such-block -->')
  })
})
