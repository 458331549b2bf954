import middy from '@middy/core'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { memoryLogger, sleep } from './helpers.js'

// The cold-start flag is process state: a fresh copy of the module stands for a fresh process.
async function freshTimingLogger() {
  vi.resetModules()
  return (await import('@middy-deadline/timing-logger')).timingLogger
}

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('timingLogger: cold starts', () => {
  it('marks the first invocation of the process cold, with its init duration, and the next ones warm', async () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand')
    const timingLogger = await freshTimingLogger()
    const logger = memoryLogger()
    const handler = middy(async () => 'ok').use(timingLogger({ logger }))
    const beforeFirst = performance.now()
    await invokeWithTimeout(handler, {})
    await invokeWithTimeout(handler, {})

    const [cold, warm] = logger.records
    expect(cold).toMatchObject({ coldStart: true, initType: 'on-demand' })
    // From the start of the process to the start of the first invocation.
    expect(cold?.initDurationMs).toBeGreaterThan(0)
    expect(cold?.initDurationMs).toBeGreaterThanOrEqual(beforeFirst - 1)
    expect(cold?.initDurationMs).toBeLessThanOrEqual(performance.now())
    expect(warm).toMatchObject({ coldStart: false, initType: 'on-demand' })
    expect(warm).not.toHaveProperty('initDurationMs')
  })

  it('adds the init duration to the Server-Timing header of the cold start only', async () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand')
    const timingLogger = await freshTimingLogger()
    const logger = memoryLogger()
    const handler = middy(async () => ({ statusCode: 200 })).use(timingLogger({ logger, serverTiming: true }))
    const header = async () => {
      const outcome = await invokeWithTimeout(handler, {})
      return outcome.status === 'succeeded'
        ? (outcome.response as unknown as { headers: Record<string, string> }).headers['Server-Timing']
        : undefined
    }
    const cold = await header()
    const warm = await header()

    const init = /^total;dur=[\d.]+, init;dur=([\d.]+)$/.exec(cold ?? '')
    expect(init).not.toBeNull()
    // The record's figure to the microsecond, the header's to a tenth of a millisecond.
    expect(Number(init?.[1])).toBeCloseTo(logger.records[0]?.initDurationMs as number, 0)
    expect(warm).toMatch(/^total;dur=[\d.]+$/)
  })

  it.each(['provisioned-concurrency', 'snap-start'])(
    'leaves the init duration out, in the record and the Server-Timing header, when the environment was initialised ahead of time (%s)',
    async (initType) => {
      vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', initType)
      const timingLogger = await freshTimingLogger()
      const logger = memoryLogger()
      const outcome = await invokeWithTimeout(
        middy(async () => ({ statusCode: 200 })).use(timingLogger({ logger, serverTiming: true })),
        {},
      )

      expect(logger.records[0]).toMatchObject({ coldStart: true, initType })
      expect(logger.records[0]).not.toHaveProperty('initDurationMs')
      expect((outcome as unknown as { response: { headers: Record<string, string> } }).response.headers['Server-Timing']).toMatch(
        /^total;dur=[\d.]+$/,
      )
    },
  )

  it('counts the init duration to the start of the invocation, not to its own before, when another middleware made the deadline first', async () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand')
    const timingLogger = await freshTimingLogger()
    const { deadline } = await import('@middy-deadline/deadline')
    const logger = memoryLogger()
    const slowAuth = { before: () => sleep(50) }
    const handler = middy(async () => 'ok')
      .use(deadline())
      .use(slowAuth)
      .use(timingLogger({ logger }))
    const beforeInvocation = performance.now()
    await invokeWithTimeout(handler, {})

    const initDurationMs = logger.records[0]?.initDurationMs as number
    expect(logger.records[0]).toMatchObject({ coldStart: true, initType: 'on-demand' })
    expect(initDurationMs).toBeGreaterThan(0)
    // Our before ran 50 ms or more into the invocation: the init ended as the invocation began
    // (what runs between the test's clock reading and the first middleware is a few ms at most).
    expect(initDurationMs).toBeLessThanOrEqual(beforeInvocation + 25)
  })

  it('makes exactly one of several concurrent first invocations cold', async () => {
    const timingLogger = await freshTimingLogger()
    const logger = memoryLogger()
    const handler = middy(() => sleep(30)).use(timingLogger({ logger }))
    await Promise.all(Array.from({ length: 5 }, () => invokeWithTimeout(handler, {})))

    expect(logger.records).toHaveLength(5)
    expect(logger.records.filter((record) => record.coldStart)).toHaveLength(1)
  })

  it('shares the flag between two functions of one process: only the first invocation is cold', async () => {
    const timingLogger = await freshTimingLogger()
    const logger = memoryLogger()
    await invokeWithTimeout(middy(async () => 'a').use(timingLogger({ logger })), {})
    await invokeWithTimeout(middy(async () => 'b').use(timingLogger({ logger })), {})

    expect(logger.records.map((record) => record.coldStart)).toEqual([true, false])
  })
})

describe('timingLogger: cold starts and sampling', () => {
  it('always writes the cold start record, even when routine records are sampled out', async () => {
    const timingLogger = await freshTimingLogger()
    const logger = memoryLogger()
    const handler = middy(async () => 'ok').use(timingLogger({ logger, sampleRate: 0, random: () => 0.5 }))
    await invokeWithTimeout(handler, {})
    await invokeWithTimeout(handler, {})

    expect(logger.records).toHaveLength(1)
    expect(logger.records[0]).toMatchObject({ coldStart: true, sampleRate: 0 })
  })
})
