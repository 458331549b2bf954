import { describe, expect, it } from 'vitest'
import { type InvokeResult, jsonRecords } from './harness/index.js'
import { functionUnderTest } from './lifecycle.js'

// timing-logger under the real runtime, with graceful-timeout in the chain: a 1 s function.

const probe = functionUnderTest('test/e2e/functions/probe-timed.ts')

const timingRecords = (result: InvokeResult) =>
  jsonRecords(result.logs).filter((record) => 'timingSource' in record && 'coldStart' in record)

describe('timing-logger', () => {
  it('writes one record per invocation, the cold start on the first and again on the first after a kill', async () => {
    const fn = await probe.start({ timeoutMs: 1000 })
    const first = await fn.invoke({})
    const warm = await fn.invoke({})
    const settled = await fn.invoke({ workMs: 5000, useSignal: true })
    const killed = await fn.invoke({ spinMs: 3000 })
    const afterKill = await fn.invoke({})

    expect([first, warm, settled, afterKill].map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok'])
    expect(killed.status).toBe('timeout')
    const records = [first, warm, settled, killed, afterKill].map(timingRecords)
    expect(records.map((r) => r.length)).toEqual([1, 1, 1, 0, 1])
    const [a, b, c, , e] = records.map((r) => r[0])
    expect(a).toMatchObject({ requestId: first.requestId, coldStart: true, outcome: 'success' })
    expect(b).toMatchObject({ requestId: warm.requestId, coldStart: false, outcome: 'success' })
    expect(c).toMatchObject({ requestId: settled.requestId, coldStart: false, outcome: 'timeout', cutoffReached: true })
    expect(e).toMatchObject({ requestId: afterKill.requestId, coldStart: true })
    expect(e?.initDurationMs).toBeGreaterThan(0)
  })

  it('writes one record per invocation under multi-concurrency, each with its own request id, one cold start', async () => {
    const fn = await probe.start({ timeoutMs: 1500, maxConcurrency: 4 })
    const results = await Promise.all([
      fn.invoke({ workMs: 200 }),
      fn.invoke({ workMs: 5000, useSignal: true }, { timeoutMs: 800 }),
      fn.invoke({ workMs: 50 }),
      fn.invoke({ workMs: 100 }),
    ])
    for (const result of results) {
      expect(result.status).toBe('ok')
      expect(timingRecords(result)).toEqual([expect.objectContaining({ requestId: result.requestId })])
    }
    expect(results.flatMap(timingRecords).filter((record) => record.coldStart === true)).toHaveLength(1)
    expect(timingRecords(results[1] as InvokeResult)[0]).toMatchObject({ outcome: 'timeout' })
  })
})
