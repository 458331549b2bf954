import { beforeAll, describe, expect, it } from 'vitest'
import { chain, invoke, invokeOnTheFakeClock, memoryLogger, sleep, warmUp } from './helpers.js'

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
})
