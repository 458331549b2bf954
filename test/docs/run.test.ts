import { invokeWithTimeout, type LambdaHandler } from '@middy-deadline/testing'
import { describe, expect, it, vi } from 'vitest'
import { runBlock } from './run.ts'

type Handler = LambdaHandler<unknown, unknown>

describe('docs blocks marked to run', () => {
  it('graceful-timeout.md http-504: a handler that never answers gets a 504 before the hard deadline', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { handler } = await runBlock('docs/graceful-timeout.md', 'http-504', { app: () => new Promise(() => {}) })
    const outcome = await invokeWithTimeout(handler as Handler, {}, { timeoutMs: 1200 })
    logged.mockRestore()
    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 504 } })
    // @middy/http-error-handler logged the error it turned into the 504: ours.
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ name: 'TimeoutError', statusCode: 504 }))
    // The default reserve is 500 ms: the answer comes at the cutoff plus the handler's grace, well before Lambda's kill.
    expect(outcome.status === 'succeeded' && outcome.settledBeforeHardDeadlineMs).toBeGreaterThan(250)
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
