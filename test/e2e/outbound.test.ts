import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { linesWith } from './harness/index.js'
import { functionUnderTest } from './lifecycle.js'

// docs/examples/slow-downstream.ts under the real runtime, against a local server that accepts
// every request and never answers.

const example = functionUnderTest('docs/examples/slow-downstream.ts')
let downstream: Server
let downstreamUrl: string
let requestsSeen = 0

beforeAll(async () => {
  downstream = createServer(() => {
    requestsSeen++
  })
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve))
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`
})

afterAll(async () => {
  downstream.closeAllConnections()
  await new Promise((resolve) => downstream.close(resolve))
})

describe('an outbound call that never answers (outbound-fetch-timeout)', () => {
  it('is cut at the cutoff, before the hard deadline, with our error naming the call', async () => {
    const fn = await example.start({ handler: 'index.handler', timeoutMs: 1000, env: { PRICES_URL: downstreamUrl } })
    const before = requestsSeen
    const result = await fn.invoke<{ statusCode: number }>({ productId: '7' })

    expect(requestsSeen).toBe(before + 1)
    expect(result.status).toBe('ok')
    expect(result.response?.statusCode).toBe(504)
    // The reserve is 300 ms: the answer left with most of it still unused.
    expect(result.marginMs).toBeGreaterThan(150)
    const [line] = linesWith(result.logs, 'price lookup timed out')
    // The call by its origin (the default): a path may carry a secret, so records and errors leave it out.
    expect(line).toContain(`GET ${downstreamUrl}: `)
    expect(line).not.toContain('/prices/7')
    expect(line).toContain('cut at the invocation cutoff')
  })

  it('without it, the call outlives the invocation: killed, or failed by Middy within a few ms of the deadline', async () => {
    const fn = await example.start({ handler: 'index.unprotected', timeoutMs: 1000, env: { PRICES_URL: downstreamUrl } })
    const result = await fn.invoke({ productId: '7' })

    expect(['timeout', 'error']).toContain(result.status)
    if (result.status === 'timeout') expect(result.error?.errorMessage).toContain('Task timed out after 1.00 seconds')
    else expect(result.marginMs).toBeLessThan(10)
  })
})
