import { describe, expect, it } from 'vitest'
import { type InvokeResult, jsonRecords } from './harness/index.js'
import { functionUnderTest } from './lifecycle.js'

// docs/examples/report-export.ts does what its comment says, under the real runtime.

const example = functionUnderTest('docs/examples/report-export.ts')

const metric = (result: InvokeResult) => jsonRecords(result.logs).filter((record) => record.metric === 'pagesRendered')
const timeoutRecord = (result: InvokeResult) =>
  jsonRecords(result.logs).filter((record) => record.package === '@middy-deadline/graceful-timeout')

describe('docs/examples/report-export.ts', () => {
  const bigExport = { pages: 30, msPerPage: 100 }

  it('unprotected: cut off at the hard deadline, the metric in its finally is lost', async () => {
    const fn = await example.start({ handler: 'index.unprotected', timeoutMs: 1000 })
    const result = await fn.invoke(bigExport)
    expect(['timeout', 'error']).toContain(result.status)
    expect(metric(result)).toEqual([])
  })

  it('with graceful-timeout: a 503 before the hard deadline, the metric flushed, one record with the last page reached', async () => {
    const fn = await example.start({ handler: 'index.handler', timeoutMs: 1000 })
    const result = await fn.invoke<{ statusCode: number; headers: Record<string, string> }>(bigExport)

    expect(result.status).toBe('ok')
    expect(result.response).toMatchObject({ statusCode: 503, headers: { 'Retry-After': '60' } })
    const [flushed] = metric(result)
    expect(flushed?.value).toBeGreaterThan(0)
    const [record] = timeoutRecord(result)
    expect(record).toMatchObject({ requestId: result.requestId, phase: 'handler' })
    const marks = (record?.marks ?? []) as { name: string }[]
    expect(marks.at(-1)?.name).toBe(`page ${flushed?.value} rendered`)
  })

  it('blocking render: killed all the same, but the watchdog wrote the record first', async () => {
    const fn = await example.start({ handler: 'index.handler', timeoutMs: 1000 })
    const result = await fn.invoke({ ...bigExport, blocking: true })
    expect(result.status).toBe('timeout')
    expect(timeoutRecord(result)).toEqual([expect.objectContaining({ source: 'watchdog', requestId: result.requestId })])
  })
})
