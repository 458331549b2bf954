import middy from '@middy/core'
import { type Deadline, type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { createLambdaContext } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'
import { describe, expect, it, vi } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'
import { chain, invoke, invokeOnTheFakeClock, memoryLogger, sleep } from './helpers.js'

const SECRET = 'card-4111-1111-1111-1111'

/** A middleware placed before the timing logger that makes `request[key]` an accessor of its own, keeping what is set. */
const accessorOf = (key: 'response' | 'error', seen: unknown[] = []) => ({
  before: (request: object) => {
    let value = (request as Record<string, unknown>)[key]
    Object.defineProperty(request, key, {
      configurable: true,
      enumerable: true,
      get: () => value,
      set: (next) => {
        seen.push(next)
        value = next
      },
    })
  },
})

describe('timingLogger: one record on every path', () => {
  it('writes one success record with the function, the timing and the budget, never the event or the response', async () => {
    const logger = memoryLogger()
    const handler = chain(async () => ({ statusCode: 200, body: SECRET }), { logger })
    const outcome = await invoke(
      handler,
      { card: SECRET },
      { timeoutMs: 1000, functionName: 'orders', functionVersion: '7', memoryLimitInMB: 512 },
    )

    expect(outcome.status).toBe('succeeded')
    expect(logger.records).toHaveLength(1)
    const [record] = logger.records
    expect(record).toMatchObject({
      level: 'INFO',
      outcome: 'success',
      functionName: 'orders',
      functionVersion: '7',
      memoryLimitMB: 512,
      statusCode: 200,
      nearMiss: false,
      cutoffReached: false,
      timingSource: 'plugin',
    })
    expect(record?.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(record?.budgetMs).toBeGreaterThan(900)
    expect(record?.budgetMs).toBeLessThanOrEqual(1000)
    expect(record?.remainingMs).toBeGreaterThan(800)
    expect(record?.timeoutUsedShare).toBeLessThan(0.2)
    for (const absent of ['errorName', 'droppedPhases', 'droppedMarks', 'sampleRate']) expect(record).not.toHaveProperty(absent)
    expect(JSON.stringify(record)).not.toContain(SECRET)
  })

  it('writes an error record with the error name (not its message), and the error still reaches Lambda', async () => {
    const logger = memoryLogger()
    const handler = chain(
      async () => {
        throw new RangeError(`bad input ${SECRET}`)
      },
      { logger },
    )
    const outcome = await invoke(handler)

    expect(outcome.status).toBe('failed')
    expect(logger.records).toHaveLength(1)
    expect(logger.records[0]).toMatchObject({ level: 'INFO', outcome: 'error', errorName: 'RangeError' })
    expect(JSON.stringify(logger.records[0])).not.toContain(SECRET)
  })

  it('records the status of an error an inner middleware turned into a response', async () => {
    const logger = memoryLogger()
    const handler = chain(
      async () => {
        throw new Error('boom')
      },
      { logger },
      {
        middlewares: [
          {
            onError: (request) => {
              request.response = { statusCode: 502, body: 'sorry' }
            },
          },
        ],
      },
    )
    const outcome = await invoke(handler)

    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 502 } })
    expect(logger.records).toHaveLength(1)
    expect(logger.records[0]).toMatchObject({ outcome: 'error', errorName: 'Error', statusCode: 502 })
  })

  for (const plugin of [true, false]) {
    it(`writes the record of an early response from a later before ${plugin ? 'with' : 'without'} the plugin`, async () => {
      const logger = memoryLogger()
      let handlerRan = false
      const cache = { before: () => ({ statusCode: 304 }) }
      const handler = chain(
        async () => {
          handlerRan = true
          return { statusCode: 200 }
        },
        { logger },
        { plugin, middlewares: [cache] },
      )
      const outcome = await invoke(handler)

      expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 304 } })
      expect(handlerRan).toBe(false)
      // Written before the invocation returned, not at some later timer.
      expect(logger.records).toHaveLength(1)
      expect(logger.records[0]).toMatchObject({ outcome: 'early-response', statusCode: 304 })
      // Measured to the early response: no longer than the invocation took, as measured from
      // outside (not "under 50 ms": 151 ms at load 13).
      expect(logger.records[0]?.durationMs).toBeLessThanOrEqual(outcome.durationMs)
    })
  }

  for (const plugin of [true, false]) {
    it(`writes the record when an inner onError answers for a failed handler ${plugin ? 'with' : 'without'} the plugin`, async () => {
      const logger = memoryLogger()
      const handler = chain(
        async () => {
          throw new TypeError('boom')
        },
        { logger },
        { plugin, middlewares: [{ onError: () => ({ statusCode: 500 }) }] },
      )
      const outcome = await invoke(handler)

      expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 500 } })
      expect(logger.records).toHaveLength(1)
      expect(logger.records[0]).toMatchObject({ outcome: 'error', errorName: 'TypeError', statusCode: 500 })
    })
  }

  for (const plugin of [true, false]) {
    it(`calls a handler answer that an inner after replaces a success, not an early response, ${plugin ? 'with' : 'without'} the plugin`, async () => {
      const logger = memoryLogger()
      const handler = chain(
        async () => ({ statusCode: 200 }),
        { logger },
        { plugin, middlewares: [{ after: () => ({ statusCode: 201 }) }] },
      )
      const outcome = await invoke(handler)

      expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 201 } })
      expect(logger.records).toHaveLength(1)
      expect(logger.records[0]).toMatchObject({ outcome: 'success', statusCode: 201 })
    })
  }

  for (const plugin of [true, false]) {
    it(`writes an error record for a handler that throws undefined ${plugin ? 'with' : 'without'} the plugin`, async () => {
      const logger = memoryLogger()
      const handler = chain(
        async () => {
          throw undefined
        },
        { logger },
        { plugin },
      )
      const outcome = await invoke(handler)

      expect(outcome.status).toBe('failed')
      expect(logger.records).toEqual([expect.objectContaining({ outcome: 'error', errorName: 'undefined', level: 'INFO' })])
      const phases = ((logger.records[0]?.phases ?? []) as { name: string }[]).map((phase) => phase.name)
      expect(phases).toEqual(plugin ? ['timingLoggerBefore', 'handler', 'timingLoggerOnError'] : ['inner', 'outer-onError'])
    })
  }

  for (const plugin of [true, false]) {
    it(`writes an error record for a handler that throws undefined when an error handler answers it ${plugin ? 'with' : 'without'} the plugin`, async () => {
      const logger = memoryLogger()
      // As @middy/http-error-handler answers: it sets the response, and returns nothing.
      const errorHandler = {
        onError: (request: { response?: unknown }) => {
          request.response = { statusCode: 500 }
        },
      }
      const handler = chain(
        async () => {
          throw undefined
        },
        { logger },
        { plugin, middlewares: [errorHandler] },
      )
      const outcome = await invoke(handler)

      expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 500 } })
      expect(logger.records).toEqual([expect.objectContaining({ outcome: 'error', errorName: 'undefined', statusCode: 500 })])
    })
  }

  it("calls a downstream's TimeoutError a timeout when an error handler has answered it with a plain object", async () => {
    const logger = memoryLogger()
    const handler = chain(
      async () => {
        throw Object.assign(new Error('the payments API did not answer'), { name: 'TimeoutError' })
      },
      { logger },
      {
        plugin: false,
        middlewares: [
          {
            onError: (request) => {
              // As @middy/http-error-handler does with an error it will not expose.
              ;(request as { error?: unknown }).error = { statusCode: 500, expose: true }
              request.response = { statusCode: 500 }
            },
          },
        ],
      },
    )
    const outcome = await invoke(handler)

    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 500 } })
    expect(logger.records).toEqual([
      expect.objectContaining({ outcome: 'timeout', errorName: 'TimeoutError', cutoffReached: false, level: 'WARN', statusCode: 500 }),
    ])
  })

  it('without the plugin, waits for the whole onError chain when a middleware wraps the error: the record has the status answered after it', async () => {
    const logger = memoryLogger()
    const wrapper = {
      onError: (request: { error?: unknown }) => {
        request.error = Object.assign(new Error('wrapped'), { name: 'WrappedError', cause: request.error })
      },
    }
    const answerer = {
      onError: (request: { response?: unknown }) => {
        request.response = { statusCode: 502 }
      },
    }
    // Middy runs the onError middlewares from the last used to the first: the wrapper, then the answerer.
    const handler = chain(
      async () => {
        throw new RangeError('bad input')
      },
      { logger },
      { plugin: false, middlewares: [answerer, wrapper] },
    )
    const outcome = await invoke(handler)

    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 502 } })
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'error', errorName: 'RangeError', statusCode: 502 })])
  })

  it("writes a WARN timeout record when Middy's early timeout fires", async () => {
    const logger = memoryLogger()
    const handler = chain(() => sleep(1000), { logger }, { timeoutEarlyInMillis: 100 })
    const outcome = await invoke(handler, {}, { timeoutMs: 300 })

    expect(outcome.status).toBe('failed')
    expect(logger.records).toHaveLength(1)
    const [record] = logger.records
    expect(record).toMatchObject({ level: 'WARN', outcome: 'timeout', errorName: 'TimeoutError' })
    // Middy's timer fires 200 ms in (two thirds of the budget), or later on a loaded machine: a near
    // miss exactly when the share used reached the threshold (0.8). Answered before the hard
    // deadline: the outcome was not a kill.
    expect(record?.nearMiss).toBe((record?.timeoutUsedShare as number) >= 0.8)
    expect(record?.durationMs).toBeGreaterThan(150)
    expect(record?.message).toMatch(/^invocation timed out: \d+ % of the \d+ ms budget used$/)
  })

  it('writes a timeout record when the handler fails on the deadline signal at the cutoff', async () => {
    const logger = memoryLogger()
    let seen: Deadline | undefined
    const handler = chain(
      async (_event: unknown, context: DeadlineContext) => {
        seen = context.deadline
        await new Promise((_resolve, reject) =>
          context.deadline.signal.addEventListener('abort', () => reject(context.deadline.signal.reason)),
        )
      },
      { logger },
      // The cutoff 300 ms in, 700 ms before the hard deadline: answered in time with the event loop
      // up to 700 ms late (with 150 of 300 ms, a loop 150 ms late made it a kill).
      { middlewares: [deadline({ reserveMs: 700 })] },
    )
    const outcome = await invoke(handler, {}, { timeoutMs: 1000 })
    const leftAfter = seen?.remainingToHardDeadline() as number

    expect(outcome.status).toBe('failed')
    expect(logger.records).toHaveLength(1)
    const [record] = logger.records
    expect(record).toMatchObject({ level: 'WARN', outcome: 'timeout', cutoffReached: true })
    // What was left counts to the hard deadline, read when the record was written: at most the budget
    // less the time used (written after the end; counted to the cutoff it would be 700 ms less), and
    // at least what was left once the invocation had answered, both on the deadline's clock. Not
    // "within 2 ms of budget - duration": the record is written some time after the end, 3.4 ms at
    // load 8-12.
    expect(record?.remainingMs).toBeGreaterThan(0)
    expect(record?.remainingMs as number).toBeLessThanOrEqual((record?.budgetMs as number) - (record?.durationMs as number) + 0.002)
    expect(record?.remainingMs as number).toBeGreaterThanOrEqual(leftAfter - 0.001)
  })

  it.each([
    [
      'fails with its own error: a timeout record',
      () => Promise.reject(new Error('parse failed')),
      { outcome: 'timeout', errorName: 'Error' },
    ],
    ['answers: a success record', () => Promise.resolve('parsed'), { outcome: 'success' }],
  ])(
    'says the cutoff was reached when the handler blocked the event loop past it (its timer never ran) and then %s',
    async (_what, finish, expected) => {
      const logger = memoryLogger()
      const handler = chain(
        async (_event: unknown, context: { deadline: Deadline }) => {
          // Synchronous work until 10 ms past the cutoff: its timer cannot fire meanwhile, and the
          // invocation ends before the loop gets to it.
          while (context.deadline.remainingToHardDeadline() > context.deadline.reserveMs - 10) {}
          return finish()
        },
        { logger },
        { middlewares: [deadline({ reserveMs: 150 })] },
      )
      await invoke(handler, {}, { timeoutMs: 300 })
      expect(logger.records).toEqual([expect.objectContaining({ ...expected, cutoffReached: true })])
    },
  )

  it('writes a WARN near-miss record when the share of the budget used crosses the threshold', async () => {
    const logger = memoryLogger()
    // 255 of 300 ms: 0.85, exactly, on the fake clock.
    await invokeOnTheFakeClock(
      chain(() => sleep(255), { logger }),
      255,
      { timeoutMs: 300 },
    )
    await invokeOnTheFakeClock(
      chain(() => sleep(255), { logger, nearMissThreshold: 0.99 }),
      255,
      { timeoutMs: 300 },
    )

    expect(logger.records).toHaveLength(2)
    expect(logger.records[0]).toMatchObject({ level: 'WARN', outcome: 'success', nearMiss: true })
    expect(logger.records[0]?.message).toMatch(/^near miss: (8|9)\d % of the \d+ ms budget used$/)
    expect(logger.records[0]?.timeoutUsedShare).toBeGreaterThanOrEqual(0.8)
    expect(logger.records[1]).toMatchObject({ level: 'INFO', nearMiss: false })
  })

  it('keeps the deadline marks, and memory against the configured size', async () => {
    const logger = memoryLogger()
    const handler = chain(
      async (_event: unknown, context: { deadline: { mark(name: string): void } }) => {
        context.deadline.mark('loaded')
        await sleep(20)
        context.deadline.mark('saved')
      },
      { logger },
    )
    await invoke(handler, {}, { memoryLimitInMB: 1024 })

    const [record] = logger.records
    const marks = record?.marks as { name: string; atMs: number }[]
    expect(marks.map((mark) => mark.name)).toEqual(['loaded', 'saved'])
    expect((marks[1]?.atMs ?? 0) - (marks[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(18)
    expect(record?.maxRssMB).toBeGreaterThan(1)
    expect(record?.memoryLimitMB).toBe(1024)
    expect(record?.memoryUsedShare).toBeCloseTo((record?.maxRssMB as number) / 1024, 2)
  })

  it('reads the peak memory afresh for an error record, even right after a routine one', async () => {
    const logger = memoryLogger()
    // A stopped clock: the routine record's reading is as recent as a reading can be.
    const now = vi.spyOn(performance, 'now').mockReturnValue(performance.now())
    try {
      await invoke(chain(async () => 'ok', { logger }))
      // Push the process's peak resident set well past anything it has reached so far.
      const MB = 1024 * 1024
      const ballast = Buffer.alloc(process.resourceUsage().maxRSS * 1024 - process.memoryUsage.rss() + 96 * MB, 1)
      await invoke(
        chain(
          async () => {
            throw new Error('boom')
          },
          { logger },
        ),
      )
      ballast.fill(0) // still in use after the invocation: the collector cannot have given it back
    } finally {
      now.mockRestore()
    }

    expect(logger.records[1]?.maxRssMB).toBeGreaterThanOrEqual((logger.records[0]?.maxRssMB as number) + 48)
  })

  it('reads the peak memory at most every 100 ms for routine records (in MB, from the kilobytes Linux reports), afresh for an error', async () => {
    const logger = memoryLogger()
    const handler = chain(async () => 'ok', { logger })
    const failing = chain(
      async () => {
        throw new Error('boom')
      },
      { logger },
    )
    const timingOut = chain(
      async () => {
        throw Object.assign(new Error('the payments API did not answer'), { name: 'TimeoutError' })
      },
      { logger },
    )
    const peakKB = { now: 256 * 1024 }
    const usage = process.resourceUsage()
    const resourceUsage = vi.spyOn(process, 'resourceUsage').mockImplementation(() => ({ ...usage, maxRSS: peakKB.now }))
    // Later than any reading an earlier test made; the clock stands still within each invocation.
    const start = performance.now() + 10_000_000
    const now = vi.spyOn(performance, 'now').mockReturnValue(start)
    try {
      await invoke(handler, {}, { memoryLimitInMB: 1024 })
      peakKB.now = 512 * 1024
      now.mockReturnValue(start + 99)
      await invoke(handler, {}, { memoryLimitInMB: 1024 })
      now.mockReturnValue(start + 100)
      await invoke(handler, {}, { memoryLimitInMB: 1024 })
      peakKB.now = 768 * 1024
      await invoke(failing, {}, { memoryLimitInMB: 1024 })
      peakKB.now = 896 * 1024
      await invoke(timingOut, {}, { memoryLimitInMB: 1024 })
    } finally {
      now.mockRestore()
      resourceUsage.mockRestore()
    }

    expect(logger.records.map((record) => [record.outcome, record.maxRssMB, record.memoryUsedShare])).toEqual([
      ['success', 256, 0.25],
      ['success', 256, 0.25],
      ['success', 512, 0.5],
      ['error', 768, 0.75],
      ['timeout', 896, 0.88],
    ])
  })

  it('writes the record without the fields when what the fields hook returned cannot be read, and says so', async () => {
    const logger = memoryLogger()
    const unreadable = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('revoked')
        },
      },
    )
    const stderr = captureStderr()
    const outcome = await invoke(chain(async () => 'ok', { logger, fields: () => unreadable }))
    expect(outcome.status).toBe('succeeded')
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'success' })])
    expect(stderr.lines()).toEqual([
      {
        level: 'WARN',
        package: '@middy-deadline/timing-logger',
        message: 'the fields hook failed; the record goes without its fields',
        error: 'Error: revoked',
      },
    ])
  })

  it('adds fields from the hook without letting them replace its own, and survives a hook that throws', async () => {
    const logger = memoryLogger()
    const handler = chain(async () => 'ok', {
      logger,
      fields: (request) => ({ tenant: (request.event as { tenant: string }).tenant, outcome: 'forged' }),
    })
    await invoke(handler, { tenant: 'acme' })
    const throwing = chain(async () => 'ok', {
      logger,
      fields: () => {
        throw new Error('hook bug')
      },
    })
    const outcome = await invoke(throwing)

    expect(logger.records[0]).toMatchObject({ tenant: 'acme', outcome: 'success' })
    expect(outcome.status).toBe('succeeded')
    expect(logger.records[1]).toMatchObject({ outcome: 'success' })
  })

  // Found by the composition matrix: Middy stops the onError chain at the one that throws, so no
  // after or onError of ours ran and, without the plugin, nothing ended the deadline: no record,
  // and a cutoff timer left armed that later wrote a timeout record for the failed invocation.
  for (const plugin of [true, false]) {
    it(`writes the record before the invocation fails when an inner onError throws, ${plugin ? 'with' : 'without'} the plugin`, async () => {
      const logger = memoryLogger()
      const handler = chain(
        async (_event: unknown, context: { deadline: { signal: AbortSignal; ended: boolean } }) => {
          void context.deadline.signal // arms the cutoff timer
          throw new RangeError('bad input')
        },
        { logger },
        {
          plugin,
          middlewares: [
            deadline({ reserveMs: 100 }),
            {
              onError: () => {
                throw new Error('the reporter failed')
              },
            },
          ],
        },
      )
      const outcome = await invoke(handler, {}, { timeoutMs: 300 })

      expect(outcome.status === 'failed' && (outcome.error as Error).message).toBe('the reporter failed')
      // Middy 6 calls no requestEnd when the invocation fails, and with the plugin there is no
      // accessor: documented in docs/deadline.md, "Composing with Middy 6".
      const written =
        process.env.MIDDY_MAJOR === '6' && plugin ? [] : [expect.objectContaining({ outcome: 'error', errorName: 'RangeError' })]
      expect(logger.records).toEqual(written)
      await sleep(300)
      expect(logger.records).toHaveLength(written.length)
    })
  }

  it('without the plugin, takes a middleware that set request.earlyResponse itself and then threw for a failure, and (Middy 7) writes the record once the onError chain has answered', async () => {
    const logger = memoryLogger()
    const errorHandler = {
      onError: async (request: { response: unknown }) => {
        await sleep(1)
        request.response = { statusCode: 503 }
      },
    }
    const halfDone = {
      before: (request: { earlyResponse?: unknown }) => {
        request.earlyResponse = { statusCode: 200 }
        throw new Error('cache write failed')
      },
    }
    const outcome = await invoke(chain(async () => 'never', { logger }, { plugin: false, middlewares: [errorHandler, halfDone] }))

    // Middy 7 deletes the stale earlyResponse as it starts the onError chain. Middy 6 keeps it: its
    // onError chain answers with it after the first onError, and the deadline ends (the record is
    // written) as that chain starts, before any status exists.
    const middy6 = process.env.MIDDY_MAJOR === '6'
    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: middy6 ? 200 : 503 } })
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'error', errorName: 'Error' })])
    expect(logger.records[0]?.statusCode).toBe(middy6 ? undefined : 503)
  })

  it('leaves request.response to a middleware before it that made it an accessor: with the plugin an early response is still recorded, and goes out as it was (no Server-Timing)', async () => {
    const seen: unknown[] = []
    const watcher = accessorOf('response', seen)
    const logger = memoryLogger()
    const handler = middy(async () => ({ statusCode: 200 }), deadlinePlugin())
      .use(watcher)
      .use(timingLogger({ logger, serverTiming: true }))
      .use({ before: () => ({ statusCode: 304 }) })
    const outcome = await invoke(handler as never)

    // Middy hands an early response back before the plugin's requestEnd: too late for the header.
    expect(outcome).toMatchObject({ status: 'succeeded', response: { statusCode: 304 } })
    expect((outcome as { response: object }).response).not.toHaveProperty('headers')
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'early-response', statusCode: 304 })])
    expect(seen[0]).toEqual({ statusCode: 304 })
  })

  it('sets a response that other code made an accessor only to add Server-Timing: a response without the header is set once, by Middy', async () => {
    const seen: unknown[] = []
    const logger = memoryLogger()
    const handler = middy(async () => ({ items: 3 }), deadlinePlugin())
      .use(accessorOf('response', seen))
      .use(timingLogger({ logger, serverTiming: true }))
    const outcome = await invoke(handler as never)

    expect(outcome).toMatchObject({ status: 'succeeded', response: { items: 3 } })
    expect(seen).toEqual([{ items: 3 }])
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'success' })])
  })

  it('without the plugin, leaves request.error to a middleware before it that made it an accessor: the record names the error the invocation ends with', async () => {
    const errorWatcher = accessorOf('error')
    const wrapper = {
      onError: (request: { error: unknown }) => {
        request.error = Object.assign(new Error('wrapped'), { name: 'WrappedError', cause: request.error })
      },
    }
    const logger = memoryLogger()
    const handler = middy(async () => {
      throw new RangeError('bad input')
    })
      .use(errorWatcher)
      .use(timingLogger({ logger }))
      .use(wrapper)
    const outcome = await invoke(handler as never)

    expect(outcome.status === 'failed' && (outcome.error as Error).name).toBe('WrappedError')
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'error', errorName: 'WrappedError' })])
  })

  it('takes an error whose originalError cannot be read for what it is (an error handler replacing the first one)', async () => {
    const logger = memoryLogger()
    const odd = {
      name: 'OddError',
      get originalError(): unknown {
        throw new Error('no reading me')
      },
    }
    const handler = chain(
      async () => {
        throw new RangeError('bad input')
      },
      { logger },
      {
        plugin: false,
        middlewares: [
          {
            onError: (request) => {
              ;(request as { error?: unknown }).error = odd
            },
          },
        ],
      },
    )
    const outcome = await invoke(handler)
    expect(outcome.status === 'failed' && outcome.error).toBe(odd)
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'error', errorName: 'RangeError' })])
  })
})

describe('timingLogger: the record’s fields', () => {
  const direct = (context: object) => {
    const logger = memoryLogger()
    const handler = middy(async () => 'ok', deadlinePlugin()).use(timingLogger({ logger }))
    return handler({}, context as never).then(() => logger.records[0])
  }

  it.each([
    ['1024', 1024],
    [undefined, undefined],
    ['0', undefined],
    ['-128', undefined],
    ['a lot', undefined],
    ['Infinity', undefined],
  ])('reads the memory size Lambda gives as a string (%j), and leaves out one that is not a positive number', async (given, expected) => {
    const record = await direct({ ...createLambdaContext({ timeoutMs: 1000 }), memoryLimitInMB: given })
    expect(record?.memoryLimitMB).toBe(expected)
    if (expected === undefined) expect(record).not.toHaveProperty('memoryUsedShare')
    else expect(record?.memoryUsedShare).toBeCloseTo((record?.maxRssMB as number) / expected, 2)
  })

  it('reads the function’s name and memory size from the Lambda context a durable context wraps', async () => {
    const lambdaContext = createLambdaContext({ timeoutMs: 1000, functionName: 'orders', memoryLimitInMB: 256, awsRequestId: 'durable-7' })
    const record = await direct({ lambdaContext })
    expect(record).toMatchObject({ requestId: 'durable-7', functionName: 'orders', memoryLimitMB: 256, outcome: 'success' })
    expect(record?.budgetMs).toBeGreaterThan(500)
  })

  it('leaves out a statusCode that is not a number', async () => {
    const logger = memoryLogger()
    await invoke(chain(async () => ({ statusCode: '200', body: 'ok' }), { logger }))
    expect(logger.records[0]).toMatchObject({ outcome: 'success' })
    expect(logger.records[0]).not.toHaveProperty('statusCode')
  })

  it('keeps the last 100 marks and says how many it left out', async () => {
    const logger = memoryLogger()
    const handler = chain(
      async (_event: unknown, context: { deadline: { mark(name: string): void } }) => {
        for (let i = 0; i < 105; i++) context.deadline.mark(`step${i}`)
      },
      { logger },
    )
    await invoke(handler)

    const marks = logger.records[0]?.marks as { name: string }[]
    expect(marks).toHaveLength(100)
    expect(marks[0]?.name).toBe('step5')
    expect(marks[99]?.name).toBe('step104')
    expect(logger.records[0]?.droppedMarks).toBe(5)
  })

  it('calls a share of the budget exactly at the threshold a near miss', async () => {
    const logger = memoryLogger()
    // 240 of 300 ms: 0.8, exactly, on the fake clock.
    await invokeOnTheFakeClock(
      chain(() => sleep(240), { logger }),
      240,
      { timeoutMs: 300 },
    )
    expect(logger.records[0]).toMatchObject({ level: 'WARN', outcome: 'success', nearMiss: true, timeoutUsedShare: 0.8 })
  })

  for (const plugin of [true, false]) {
    it(`writes an error record when an error handler handles the error (clears it) and answers ${plugin ? 'with' : 'without'} the plugin, by setting the response or by returning it`, async () => {
      const logger = memoryLogger()
      const setting = {
        onError: (request: { error?: unknown; response?: unknown }) => {
          request.error = undefined
          request.response = { statusCode: 503 }
        },
      }
      const returning = {
        onError: (request: { error?: unknown }) => {
          request.error = undefined
          return { statusCode: 502 }
        },
      }
      const failing = async () => {
        throw new RangeError('bad input')
      }
      const answers = []
      for (const errorHandler of [setting, returning])
        answers.push(await invoke(chain(failing, { logger }, { plugin, middlewares: [errorHandler] })))

      expect(answers).toMatchObject([
        { status: 'succeeded', response: { statusCode: 503 } },
        { status: 'succeeded', response: { statusCode: 502 } },
      ])
      expect(logger.records).toEqual([
        expect.objectContaining({ outcome: 'error', errorName: 'RangeError', statusCode: 503 }),
        expect.objectContaining({ outcome: 'error', errorName: 'RangeError', statusCode: 502 }),
      ])
    })
  }
})
