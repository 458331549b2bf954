import { describe, expect, it } from 'vitest'
import { chain, delayedMiddleware, invoke, memoryLogger, sleep } from './helpers.js'

describe('timingLogger: concurrent invocations', () => {
  it('keeps a separate record per invocation: its own id, duration, marks and phases', async () => {
    const logger = memoryLogger()
    const handler = chain(
      async (event: { delay: number }, context: { deadline: { mark(name: string): void } }) => {
        context.deadline.mark(`start-${event.delay}`)
        await sleep(event.delay)
        if (event.delay === 90) throw new Error('slowest fails')
        return { statusCode: 200 }
      },
      { logger },
      { middlewares: [delayedMiddleware('auth', { before: 10 })] },
    )
    const delays = [30, 90, 60, 10, 120]
    const ids = delays.map((delay) => `request-${delay}`)
    // How long each invocation took, measured from outside: an upper bound that holds at any load
    // (a phase 60 ms longer than its sleep was not rare at load 13).
    const tookMs = new Map<number, number>()
    await Promise.all(
      delays.map(async (delay, index) => {
        const started = performance.now()
        await invoke(handler, { delay }, { awsRequestId: ids[index] })
        tookMs.set(delay, performance.now() - started)
      }),
    )

    expect(logger.records).toHaveLength(delays.length)
    expect(logger.records.map((record) => record.requestId).sort()).toEqual([...ids].sort())
    for (const delay of delays) {
      const record = logger.records.find((candidate) => candidate.requestId === `request-${delay}`)
      expect(record?.outcome).toBe(delay === 90 ? 'error' : 'success')
      expect(((record?.marks ?? []) as { name: string }[]).map((mark) => mark.name)).toEqual([`start-${delay}`])
      const handlerPhase = ((record?.phases ?? []) as { name: string; durationMs: number }[]).find((phase) => phase.name === 'handler')
      expect(handlerPhase?.durationMs).toBeGreaterThanOrEqual(delay - 2)
      expect(handlerPhase?.durationMs).toBeLessThanOrEqual(record?.durationMs as number)
      expect(record?.durationMs).toBeGreaterThanOrEqual(delay + 8)
      expect(record?.durationMs).toBeLessThanOrEqual(tookMs.get(delay) as number)
    }
  })
})
