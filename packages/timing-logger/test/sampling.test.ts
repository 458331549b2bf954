import { beforeAll, describe, expect, it, vi } from 'vitest'
import { chain, invoke, invokeOnTheFakeClock, memoryLogger, sleep, stdoutLines, warmUp } from './helpers.js'

beforeAll(warmUp)

/** A random source that hands out the given draws in turn and counts them. */
function draws(...values: number[]) {
  const source = Object.assign(() => values[source.calls++ % values.length] as number, { calls: 0 })
  return source
}

describe('timingLogger: sampling', () => {
  it('writes a routine record when the invocation’s draw falls under the rate, and says the rate', async () => {
    const logger = memoryLogger()
    const random = draws(0.2, 0.7, 0.49, 0.5)
    const handler = chain(async () => 'ok', { logger, sampleRate: 0.5, random })
    for (let i = 0; i < 4; i++) await invoke(handler)

    expect(random.calls).toBe(4)
    // The draws 0.2 and 0.49 fall under 0.5; 0.7 and 0.5 do not.
    expect(logger.records).toHaveLength(2)
    expect(logger.records.every((record) => record.sampleRate === 0.5)).toBe(true)
  })

  it('always writes near-misses, errors and timeouts, whatever the draw', async () => {
    const logger = memoryLogger()
    const random = draws(0.99)
    const options = { logger, sampleRate: 0.01, random }
    await invoke(chain(async () => 'ok', options)) // routine: sampled out
    // 255 of 300 ms, on the fake clock: a near-miss.
    await invokeOnTheFakeClock(
      chain(() => sleep(255), options),
      255,
      { timeoutMs: 300 },
    )
    await invoke(
      chain(async () => {
        throw new Error('boom')
      }, options),
    )
    await invoke(
      chain(() => sleep(1000), options, { timeoutEarlyInMillis: 50 }),
      {},
      { timeoutMs: 200 },
    )

    expect(random.calls).toBe(1)
    expect(logger.records.map((record) => record.outcome)).toEqual(['success', 'error', 'timeout'])
    expect(logger.records[0]?.nearMiss).toBe(true)
  })

  it('draws per invocation: concurrent invocations are sampled independently', async () => {
    const logger = memoryLogger()
    const random = draws(0.1, 0.9)
    const handler = chain(() => sleep(20), { logger, sampleRate: 0.5, random })
    await Promise.all(Array.from({ length: 6 }, () => invoke(handler)))

    expect(random.calls).toBe(6)
    expect(logger.records).toHaveLength(3)
  })

  it('never draws when every record is kept (sampleRate 1, the default), and writes no sampleRate', async () => {
    const logger = memoryLogger()
    const random = draws(0.99)
    await invoke(chain(async () => 'ok', { logger, random }))
    await invoke(chain(async () => 'ok', { logger, sampleRate: 1, random }))

    expect(random.calls).toBe(0)
    expect(logger.records).toHaveLength(2)
    for (const record of logger.records) expect(record).not.toHaveProperty('sampleRate')
  })

  it('samples an early response as a routine record, and draws with no arguments', async () => {
    const logger = memoryLogger()
    const random = vi.fn(draws(0.9, 0.1))
    const handler = chain(
      async () => ({ statusCode: 200 }),
      { logger, sampleRate: 0.5, random },
      { middlewares: [{ before: () => ({ statusCode: 304 }) }] },
    )
    await invoke(handler)
    await invoke(handler)

    expect(random.mock.calls).toEqual([[], []])
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'early-response', sampleRate: 0.5 })])
  })

  it('costs a sampled-out invocation none of your hooks, and still adds its Server-Timing header when asked', async () => {
    const fields = vi.fn(() => ({ tenant: 'acme' }))
    const summarizeOutbound = vi.fn(() => ({ calls: 0 }))
    const logger = memoryLogger()
    const quiet = await invoke(chain(async () => 'ok', { logger, sampleRate: 0, fields, summarizeOutbound }))
    expect(summarizeOutbound).not.toHaveBeenCalled()
    const timed = chain(async () => ({ statusCode: 200 }), { logger, sampleRate: 0, fields, serverTiming: true })
    const { lines, result } = await stdoutLines(() => invoke(timed))

    expect(quiet.status).toBe('succeeded')
    expect(logger.records).toEqual([])
    expect(lines).toEqual([])
    expect(fields).not.toHaveBeenCalled()
    expect((result as { response: { headers: Record<string, string> } }).response.headers['Server-Timing']).toMatch(
      /^total;dur=[\d.]+, handler;dur=[\d.]+, middleware;dur=[\d.]+$/,
    )
  })
})
