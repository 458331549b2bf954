import { describe, expect, it } from 'vitest'
import { type InvokeResult, jsonRecords, type LogEntry } from './harness/index.js'
import { functionUnderTest } from './lifecycle.js'

// timing-logger under the real runtime, with graceful-timeout in the chain: a 1 s function.

const probe = functionUnderTest('test/e2e/functions/probe-timed.ts')

const timingRecords = (result: Pick<InvokeResult, 'logs'>) =>
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
    const stream = timingRecordStream()
    // One runtime worker thread: its stdout is one ordered stream (see timingRecordStream).
    const fn = await probe.start({ timeoutMs: 1500, maxConcurrency: 4, workers: 1, onLog: stream.onLog })
    const results = await Promise.all([
      fn.invoke({ workMs: 200 }),
      fn.invoke({ workMs: 5000, useSignal: true }, { timeoutMs: 800 }),
      fn.invoke({ workMs: 50 }),
      fn.invoke({ workMs: 100 }),
    ])
    // The records of the four were written before their answers; one written after them all
    // arrives after theirs, so once it is in, so is every record of the four (or never will be).
    const last = await fn.invoke({})
    await stream.arrival(last.requestId)

    const records = results.map((result) => stream.of(result.requestId))
    expect(results.map((result) => result.status)).toEqual(['ok', 'ok', 'ok', 'ok'])
    expect(records.map((r) => r.length)).toEqual([1, 1, 1, 1])
    expect(records.flat().filter((record) => record.coldStart === true)).toHaveLength(1)
    expect(records[1]?.[0]).toMatchObject({ outcome: 'timeout' })
  })
})

/**
 * The timing records as they reach the log stream, by request id. In multi-concurrency mode the
 * handler runs in a runtime worker thread, whose stdout the process's main thread relays: a record
 * written before the answer can reach the stream after it (18 ms after, at load 10; the harness
 * gives an invocation's lines 20 ms), so an invocation's own `logs` may miss it (once, at load 12-14). The worker's
 * stdout keeps its order: a line it wrote later arrives later.
 */
function timingRecordStream() {
  const byRequest = new Map<string, Record<string, unknown>[]>()
  const waiting = new Map<string, () => void>()
  return {
    onLog({ line }: LogEntry): void {
      for (const record of timingRecords({ logs: [line] })) {
        const requestId = String(record.requestId)
        byRequest.set(requestId, [...(byRequest.get(requestId) ?? []), record])
        waiting.get(requestId)?.()
      }
    },
    of: (requestId: string) => byRequest.get(requestId) ?? [],
    arrival: (requestId: string) =>
      byRequest.has(requestId) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(requestId, resolve)),
  }
}
