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
    await Promise.all(delays.map((delay, index) => invoke(handler, { delay }, { awsRequestId: ids[index] })))

    expect(logger.records).toHaveLength(delays.length)
    expect(logger.records.map((record) => record.requestId).sort()).toEqual([...ids].sort())
    for (const delay of delays) {
      const record = logger.records.find((candidate) => candidate.requestId === `request-${delay}`)
      expect(record?.outcome).toBe(delay === 90 ? 'error' : 'success')
      expect(((record?.marks ?? []) as { name: string }[]).map((mark) => mark.name)).toEqual([`start-${delay}`])
      const handlerPhase = ((record?.phases ?? []) as { name: string; durationMs: number }[]).find((phase) => phase.name === 'handler')
      expect(handlerPhase?.durationMs).toBeGreaterThanOrEqual(delay - 2)
      expect(handlerPhase?.durationMs).toBeLessThan(delay + 60)
      expect(record?.durationMs).toBeGreaterThanOrEqual(delay + 8)
    }
  })
})
