import { describe, expect, it } from 'vitest'
import type { Probe } from './functions/probe-app.js'
import { type InvokeResult, jsonRecords, linesWith } from './harness/index.js'
import { functionUnderTest } from './lifecycle.js'

// graceful-timeout under the real runtime: a 1 s function, cutoff 300 ms before the hard deadline.

type Answer = Probe | { statusCode: number; body: string }

const probe = functionUnderTest('test/e2e/functions/probe-graceful.ts')

const timeoutRecords = (result: InvokeResult) =>
  jsonRecords(result.logs).filter((record) => record.package === '@middy-deadline/graceful-timeout')

describe('graceful-timeout', () => {
  it('settles an overrunning invocation with the configured response before the hard deadline; its finally ran, one record', async () => {
    const fn = await probe.start({ timeoutMs: 1000 })
    const result = await fn.invoke<Answer>({ workMs: 5000, useSignal: true })

    expect(result.status).toBe('ok')
    expect(result.response).toEqual({ statusCode: 504, body: 'timed out' })
    expect(result.marginMs).toBeGreaterThan(100)
    expect(linesWith(result.logs, `finally ran for ${result.requestId}`)).toHaveLength(1)
    expect(linesWith(result.logs, 'Task timed out')).toEqual([])
    const records = timeoutRecords(result)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ requestId: result.requestId, source: 'main', reserveMs: 300 })
  })

  it('leaves nothing behind: the next, thawed invocation sees no timer and no log line of the previous one', async () => {
    const fn = await probe.start({ timeoutMs: 1000 })
    const settled = await fn.invoke<Answer>({ workMs: 5000, useSignal: true })
    expect(settled.response).toEqual({ statusCode: 504, body: 'timed out' })

    // Long enough for any timer the first invocation could have armed (cutoff, hooks, watchdog) to come due.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const next = await fn.invoke<Answer>({ workMs: 600 })
    expect(next.status).toBe('ok')
    expect(next.coldStart).toBe(false)
    expect(next.response).toMatchObject({ requestId: next.requestId, currentDeadline: next.requestId })
    expect(linesWith(next.logs, settled.requestId)).toEqual([])
    expect(timeoutRecords(next)).toEqual([])
  })

  it('settles a handler that ignores the signal too (Middy early timeout at the cutoff), with one record', async () => {
    const fn = await probe.start({ timeoutMs: 1000 })
    const result = await fn.invoke<Answer>({ workMs: 5000 })

    expect(result.status).toBe('ok')
    expect(result.response).toEqual({ statusCode: 504, body: 'timed out' })
    expect(result.marginMs).toBeGreaterThan(100)
    expect(timeoutRecords(result)).toHaveLength(1)
  })

  it('cannot stop a handler that ignores the signal: its abandoned work finishes inside the next, thawed invocation', async () => {
    const fn = await probe.start({ timeoutMs: 1000 })
    // Settled at the cutoff (700 ms); the handler's own wait would end at 1200 ms, after the freeze.
    const settled = await fn.invoke<Answer>({ workMs: 1200 })
    expect(settled.response).toEqual({ statusCode: 504, body: 'timed out' })
    expect(linesWith(settled.logs, 'finally ran')).toEqual([])

    const next = await fn.invoke<Answer>({ workMs: 700 })
    expect(linesWith(next.logs, `finally ran for ${settled.requestId}`)).toHaveLength(1)
  })

  it('writes the record from the watchdog before the kill when the handler is stuck in a synchronous loop', async () => {
    const fn = await probe.start({ timeoutMs: 1000 })
    const result = await fn.invoke<Answer>({ spinMs: 3000 })

    // Nothing on the main thread can run: Lambda kills it, but the record is already out.
    expect(result.status).toBe('timeout')
    const records = timeoutRecords(result)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ requestId: result.requestId, source: 'watchdog' })
    expect(records[0]?.remainingMs).toBeGreaterThan(0)
    const recordAt = result.logs.findIndex((line) => line.includes('"source":"watchdog"'))
    const killAt = result.logs.findIndex((line) => line.includes('Task timed out after 1.00 seconds'))
    expect(recordAt).toBeGreaterThanOrEqual(0)
    expect(recordAt).toBeLessThan(killAt)
  })

  it('settles concurrent invocations with different deadlines each on its own (multi-concurrency)', async () => {
    const fn = await probe.start({ timeoutMs: 1500, maxConcurrency: 4 })
    const [short, quick, long, steady] = await Promise.all([
      fn.invoke<Answer>({ workMs: 5000, useSignal: true }, { timeoutMs: 800 }),
      fn.invoke<Answer>({ workMs: 100, useSignal: true }, { timeoutMs: 1500 }),
      fn.invoke<Answer>({ workMs: 5000, useSignal: true }, { timeoutMs: 1300 }),
      fn.invoke<Answer>({ workMs: 300, useSignal: true }, { timeoutMs: 1500 }),
    ])
    const all = [short, quick, long, steady] as InvokeResult<Answer>[]

    expect(fn.processesStarted).toBe(1)
    for (const result of all) expect(result.status).toBe('ok')
    for (const overran of [short, long] as InvokeResult<Answer>[]) {
      expect(overran.response).toEqual({ statusCode: 504, body: 'timed out' })
      expect(overran.marginMs).toBeGreaterThan(100)
      expect(timeoutRecords(overran)).toEqual([expect.objectContaining({ requestId: overran.requestId })])
    }
    for (const fine of [quick, steady] as InvokeResult<Answer>[]) {
      expect(fine.response).toMatchObject({ requestId: fine.requestId, currentDeadline: fine.requestId })
      expect(timeoutRecords(fine)).toEqual([])
    }
    // The short one was settled at its own cutoff, long before the long one's.
    expect(short?.durationMs).toBeLessThan(long?.durationMs ?? 0)
  })
})
