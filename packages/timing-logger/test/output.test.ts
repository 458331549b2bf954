import middy, { type MiddlewareObj } from '@middy/core'
import { deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { chain, delayedMiddleware, invoke, memoryLogger, sleep, stdoutLines, warmUp } from './helpers.js'

beforeAll(warmUp)

describe('timingLogger: output', () => {
  it('writes one JSON line on stdout by default, with timestamp, level and message first', async () => {
    const handler = chain(async () => 'ok', {})
    const { raw, lines } = await stdoutLines(() => invoke(handler))

    expect(raw).toHaveLength(1)
    expect(raw[0]?.endsWith('}\n')).toBe(true)
    expect(raw[0]?.trimEnd()).not.toContain('\n')
    const [line] = lines
    expect(Object.keys(line ?? {}).slice(0, 3)).toEqual(['timestamp', 'level', 'message'])
    expect(new Date(line?.timestamp as string).toISOString()).toBe(line?.timestamp)
    expect(line).toMatchObject({
      level: 'INFO',
      outcome: 'success',
      message: expect.stringMatching(/^invocation success: \d+ % of the \d+ ms budget used$/),
    })
  })

  it('writes the fields of a record JSON.stringify refuses (a BigInt) one by one, as JSON.stringify would the rest: a number that is not finite, and null, as null', async () => {
    const handler = chain(async () => 'ok', {
      fields: () => ({ orderCount: 12n, ratio: Number.NaN, ceiling: Number.POSITIVE_INFINITY, tenant: null }),
    })
    const { lines } = await stdoutLines(() => invoke(handler))

    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ orderCount: '12', ratio: null, ceiling: null, tenant: null, outcome: 'success' })
    expect(lines[0]).not.toHaveProperty('truncated')
  })

  it('writes the timestamp in ISO 8601 at any second and millisecond of any minute', async () => {
    const handler = chain(async () => 'ok', {})
    const instants = [
      '2026-11-23T10:28:00.000Z',
      '2026-11-23T10:28:05.007Z',
      '2026-11-23T10:28:05.010Z',
      '2026-11-23T10:28:05.100Z',
      '2026-11-23T10:28:59.999Z',
      '2026-11-23T10:29:10.042Z',
      '2027-01-01T00:00:09.990Z',
    ]
    const written: unknown[] = []
    for (const instant of instants) {
      const now = vi.spyOn(Date, 'now').mockReturnValue(Date.parse(instant))
      try {
        written.push((await stdoutLines(() => invoke(handler))).lines[0]?.timestamp)
      } finally {
        now.mockRestore()
      }
    }

    expect(written).toEqual(instants)
  })

  it("never lets the fields hook replace the line's timestamp or level", async () => {
    const handler = chain(async () => 'ok', { fields: () => ({ level: 'DEBUG', timestamp: 'yesterday', tenant: 'acme' }) })
    const { lines } = await stdoutLines(() => invoke(handler))

    expect(lines[0]).toMatchObject({ level: 'INFO', tenant: 'acme' })
    expect(new Date(lines[0]?.timestamp as string).toISOString()).toBe(lines[0]?.timestamp)
  })

  it('hands a logger the record without level or timestamp, which the logger adds itself', async () => {
    const logger = memoryLogger()
    const { raw } = await stdoutLines(() => invoke(chain(async () => 'ok', { logger })))

    expect(raw).toEqual([])
    const { level, ...given } = logger.records[0] ?? {}
    expect(level).toBe('INFO')
    expect(given).not.toHaveProperty('level')
    expect(given).not.toHaveProperty('timestamp')
    expect(given).toHaveProperty('message')
  })

  it("gives any logger but Powertools' the record's own names, even one whose properties throw when read", async () => {
    const logger = memoryLogger()
    const hostile = Object.defineProperty({ info: logger.info, warn: logger.warn }, 'injectLambdaContext', {
      get() {
        throw new Error('no peeking')
      },
    })
    await invoke(
      chain(async () => 'ok', { logger: hostile }),
      {},
      { awsRequestId: 'req-own' },
    )
    expect(logger.records[0]).toMatchObject({ requestId: 'req-own', coldStart: expect.any(Boolean) })
    expect(logger.records[0]).not.toHaveProperty('function_request_id')
  })

  it('falls back to stdout when the logger throws', async () => {
    const broken = {
      info: () => {
        throw new Error('closed')
      },
      warn: () => {},
    }
    const { lines, result } = await stdoutLines(() => invoke(chain(async () => 'ok', { logger: broken })))

    expect(result.status).toBe('succeeded')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 'INFO', outcome: 'success' })
  })

  it('writes the fallback record and the metrics in one write when the logger throws', async () => {
    const broken = {
      info: () => {
        throw new Error('closed')
      },
      warn: () => {},
    }
    const { raw, lines } = await stdoutLines(() => invoke(chain(async () => 'ok', { logger: broken, emf: { namespace: 'Orders' } })))

    expect(raw).toHaveLength(1)
    expect(lines).toEqual([
      expect.objectContaining({ level: 'INFO', outcome: 'success' }),
      expect.objectContaining({ _aws: expect.any(Object), Duration: expect.any(Number) }),
    ])
  })

  it.each([
    ['fields', { fields: () => ({ note: 'x'.repeat(100_000) }) }],
    ['summarizeOutbound', { summarizeOutbound: () => ({ note: 'x'.repeat(100_000) }) }],
  ])('hands a logger values of yours (%s) within the bound of a line (64 KiB), cut and said so', async (_option, options) => {
    const logger = memoryLogger()
    await invoke(chain(async () => 'ok', { logger, ...options }))

    const { level, ...given } = logger.records[0] ?? {}
    expect(level).toBe('INFO')
    expect(Buffer.byteLength(JSON.stringify(given))).toBeLessThanOrEqual(64 * 1024)
    expect(given).toMatchObject({ outcome: 'success', truncated: true })
  })

  it.each([
    ['injectLambdaContext', { injectLambdaContext: () => {} }],
    ['addContext', { addContext: () => {} }],
  ])("takes a logger with only one of Powertools' methods (%s) for another logger: the record's own names", async (_method, methods) => {
    const logger = memoryLogger()
    await invoke(
      chain(async () => 'ok', { logger: { ...methods, info: logger.info, warn: logger.warn } }),
      {},
      { awsRequestId: 'req-lookalike', memoryLimitInMB: 256 },
    )
    expect(logger.records[0]).toMatchObject({ requestId: 'req-lookalike', memoryLimitMB: 256, coldStart: expect.any(Boolean) })
    expect(logger.records[0]).not.toHaveProperty('function_request_id')
    expect(logger.records[0]).not.toHaveProperty('function_memory_size')
  })

  it('shows a middleware function without a name as `anonymous` among the phases', async () => {
    const logger = memoryLogger()
    // An arrow function taken out of an array has no name to infer: Middy's hooks see ''.
    const [unnamed] = [async () => {}]
    await invoke(chain(async () => 'ok', { logger }, { middlewares: [{ before: unnamed }] }))

    const phases = logger.records[0]?.phases as { name: string }[]
    expect(phases.map((phase) => phase.name)).toEqual(['timingLoggerBefore', 'anonymous', 'handler', 'timingLoggerAfter'])
  })

  it('keeps the first 100 phases and says how many it left out', async () => {
    const logger = memoryLogger()
    const befores = Array.from({ length: 120 }, (_, i) => ({
      before: Object.defineProperty(() => {}, 'name', { value: `step${i}Before` }),
    }))
    await invoke(chain(async () => 'ok', { logger }, { middlewares: befores }))

    // timingLoggerBefore, 120 befores, the handler, timingLoggerAfter: 123 phases.
    const record = logger.records[0]
    const phases = record?.phases as { name: string }[]
    expect(phases).toHaveLength(100)
    expect(phases[0]?.name).toBe('timingLoggerBefore')
    expect(phases[99]?.name).toBe('step98Before')
    expect(record?.droppedPhases).toBe(23)
  })

  it('keeps exactly 100 phases whole, and says nothing was left out', async () => {
    const logger = memoryLogger()
    // timingLoggerBefore, 97 befores, the handler, timingLoggerAfter: 100 phases.
    const befores = Array.from({ length: 97 }, (_, i) => ({ before: Object.defineProperty(() => {}, 'name', { value: `step${i}Before` }) }))
    await invoke(chain(async () => 'ok', { logger }, { middlewares: befores }))

    expect(logger.records[0]?.phases).toHaveLength(100)
    expect(logger.records[0]).not.toHaveProperty('droppedPhases')
  })

  it('cuts coarse phases at its own before when another middleware of ours created the deadline first', async () => {
    const logger = memoryLogger()
    const handler = middy(() => sleep(40))
      .use(deadline())
      .use(delayedMiddleware('auth', { before: 30 }))
      .use(timingLogger({ logger }))
    await invokeWithTimeout(handler, {})

    const phases = logger.records[0]?.phases as { name: string; durationMs: number }[]
    expect(phases.map((phase) => phase.name)).toEqual(['outer-before', 'inner', 'outer-after'])
    expect(phases[0]?.durationMs).toBeGreaterThanOrEqual(28)
    expect(phases[1]?.durationMs).toBeGreaterThanOrEqual(38)
  })

  it('cuts coarse spans that follow one another without a gap or an overlap, and add up to the duration', async () => {
    const logger = memoryLogger()
    // The deadline is made first, and an after placed outside ours takes 30 ms after our own after.
    const handler = middy(() => sleep(20))
      .use(deadline())
      .use(delayedMiddleware('audit', { before: 10, after: 30 }))
      .use(timingLogger({ logger }))
    await invokeWithTimeout(handler, {})

    const record = logger.records[0]
    const phases = record?.phases as { name: string; startMs: number; durationMs: number }[]
    expect(phases.map((phase) => phase.name)).toEqual(['outer-before', 'inner', 'outer-after'])
    expect(phases[0]?.startMs).toBe(0)
    // Each span starts where the one before it ended (rounded to the µs on both sides).
    for (const [i, phase] of phases.slice(1).entries()) {
      const before = phases[i] as { startMs: number; durationMs: number }
      expect(Math.abs(before.startMs + before.durationMs - phase.startMs)).toBeLessThanOrEqual(0.002)
    }
    expect(phases[2]?.durationMs).toBeGreaterThanOrEqual(28)
    const last = phases[2] as { startMs: number; durationMs: number }
    expect(Math.abs(last.startMs + last.durationMs - (record?.durationMs as number))).toBeLessThanOrEqual(0.002)
  })
})

describe('timingLogger: a context without a usable remaining time', () => {
  it('writes the record with a null budget, never a near-miss, and EMF without remaining time', async () => {
    const logger = memoryLogger()
    const handler = middy(async () => 'ok').use(timingLogger({ logger, emf: { namespace: 'Orders' } }))
    const { lines } = await stdoutLines(() => handler({}, { awsRequestId: 'no-clock', functionName: 'local' } as never))

    expect(logger.records[0]).toMatchObject({
      requestId: 'no-clock',
      outcome: 'success',
      budgetMs: null,
      remainingMs: null,
      timeoutUsedShare: null,
      nearMiss: false,
      message: 'invocation success',
    })
    expect(lines[0]).not.toHaveProperty('Remaining')
    expect(lines[0]).not.toHaveProperty('TimeoutUsed')
    expect(lines[0]).toMatchObject({ FunctionName: 'local', NearMiss: 0 })
  })

  it('names the function `unknown` in the metrics when the context has no function name', async () => {
    const handler = middy(async () => 'ok').use(timingLogger({ logger: memoryLogger(), emf: { namespace: 'Orders' } }))
    const { lines } = await stdoutLines(() => handler({}, { awsRequestId: 'no-name', getRemainingTimeInMillis: () => 1000 } as never))

    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ FunctionName: 'unknown', requestId: 'no-name' })
    expect(lines[0]?._aws).toMatchObject({ CloudWatchMetrics: [{ Dimensions: [['FunctionName']] }] })
  })
})

describe('timingLogger: Server-Timing', () => {
  it('adds the header to an HTTP response, with the handler and middleware times from the plugin', async () => {
    const handler = chain(async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' }), {
      logger: memoryLogger(),
      serverTiming: true,
    })
    const outcome = await invoke(handler)

    const headers = (outcome as { response: { headers: Record<string, string> } }).response.headers
    expect(headers['content-type']).toBe('application/json')
    expect(headers['Server-Timing']).toMatch(/^total;dur=[\d.]+, handler;dur=[\d.]+, middleware;dur=[\d.]+$/)
  })

  it('appends to a header already set, and adds it to an early response too', async () => {
    const appended = chain(async () => ({ statusCode: 200, headers: { 'server-timing': 'db;dur=12' } }), {
      logger: memoryLogger(),
      serverTiming: true,
    })
    const early = chain(
      async () => ({ statusCode: 200 }),
      { logger: memoryLogger(), serverTiming: true },
      { plugin: false, middlewares: [{ before: () => ({ statusCode: 304 }) }] },
    )

    const first = (await invoke(appended)) as { response: { headers: Record<string, string> } }
    const second = (await invoke(early)) as { response: { headers: Record<string, string> } }
    expect(first.response.headers['server-timing']).toMatch(/^db;dur=12, total;dur=[\d.]+/)
    expect(first.response.headers).not.toHaveProperty('Server-Timing')
    expect(second.response.headers['Server-Timing']).toMatch(/^total;dur=[\d.]+$/)
  })

  it('adds the middlewares’ time, and no handler time, to an early response with the plugin', async () => {
    const early = chain(
      async () => ({ statusCode: 200 }),
      { logger: memoryLogger(), serverTiming: true },
      { middlewares: [{ before: () => ({ statusCode: 304 }) }] },
    )
    const answer = (await invoke(early)) as { response: { statusCode: number; headers: Record<string, string> } }

    expect(answer.response.statusCode).toBe(304)
    expect(answer.response.headers['Server-Timing']).toMatch(/^total;dur=[\d.]+, middleware;dur=[\d.]+$/)
  })

  it('leaves a response that is not an HTTP one alone, and adds nothing unless asked', async () => {
    const plain = await invoke(chain(async () => ({ items: 3 }), { logger: memoryLogger(), serverTiming: true }))
    const notAsked = await invoke(chain(async () => ({ statusCode: 200 }), { logger: memoryLogger() }))

    expect(plain).toMatchObject({ response: { items: 3 } })
    expect((plain as { response: object }).response).not.toHaveProperty('headers')
    expect((notAsked as { response: object }).response).not.toHaveProperty('headers')
  })

  it('leaves alone a response that is not an object, or whose headers are not an object, and fills an empty header', async () => {
    const options = { logger: memoryLogger(), serverTiming: true }
    const text = await invoke(chain(async () => 'ok', options))
    const oddHeaders = await invoke(chain(async () => ({ statusCode: 200, headers: null }), options))
    const emptyHeader = await invoke(chain(async () => ({ statusCode: 200, headers: { 'Server-Timing': '' } }), options))

    expect(text).toMatchObject({ status: 'succeeded', response: 'ok' })
    const textHeaders = await invoke(chain(async () => ({ statusCode: 200, headers: 'content-type: text/plain' }), options))
    expect(oddHeaders).toMatchObject({ status: 'succeeded', response: { statusCode: 200, headers: null } })
    expect(textHeaders).toMatchObject({ status: 'succeeded', response: { statusCode: 200, headers: 'content-type: text/plain' } })
    expect((emptyHeader as { response: { headers: Record<string, string> } }).response.headers['Server-Timing']).toMatch(
      /^total;dur=[\d.]+, handler/,
    )
  })

  it('sends a response whose headers cannot be copied as it is, and still writes the record', async () => {
    const headers = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('no keys for you')
        },
      },
    )
    const response = { statusCode: 200, headers }
    const logger = memoryLogger()
    const outcome = await invoke(chain(async () => response, { logger, serverTiming: true }))

    expect(outcome).toMatchObject({ status: 'succeeded' })
    expect((outcome as { response: unknown }).response).toBe(response)
    expect(logger.records).toEqual([expect.objectContaining({ outcome: 'success', statusCode: 200 })])
  })
})

describe('timingLogger: Server-Timing on a response the handler shares or froze', () => {
  it('never changes the response object the handler returns: one it reuses does not grow, invocation after invocation', async () => {
    const shared = { statusCode: 200, headers: { 'server-timing': 'db;dur=1' } }
    const handler = chain(async () => shared, { logger: memoryLogger(), serverTiming: true })
    const answers = []
    for (let i = 0; i < 3; i++) answers.push((await invoke(handler)) as { response: { headers: Record<string, string> } })
    expect(shared).toEqual({ statusCode: 200, headers: { 'server-timing': 'db;dur=1' } })
    for (const answer of answers)
      expect(answer.response.headers['server-timing']).toMatch(/^db;dur=1, total;dur=[\d.]+, handler;dur=[\d.]+, middleware;dur=[\d.]+$/)
  })

  it('answers a frozen response with a copy carrying the header, and still writes the record', async () => {
    const frozen = Object.freeze({ statusCode: 201, headers: Object.freeze({ 'content-type': 'text/plain' }), body: 'made' })
    const logger = memoryLogger()
    const outcome = (await invoke(chain(async () => frozen, { logger, serverTiming: true }))) as { response: Record<string, unknown> }
    expect(outcome.response).toMatchObject({ statusCode: 201, body: 'made', headers: { 'content-type': 'text/plain' } })
    expect((outcome.response.headers as Record<string, string>)['Server-Timing']).toMatch(/^total;dur=/)
    expect(logger.records).toHaveLength(1)
    expect(logger.records[0]).toMatchObject({ outcome: 'success', statusCode: 201 })
  })

  it.each([
    ['with the plugin', true],
    ['without it', false],
  ])('adds the header to a shared early response %s, without changing it', async (_how, plugin) => {
    const cached = Object.freeze({ statusCode: 304 })
    const handler = chain(
      async () => ({ statusCode: 200 }),
      { logger: memoryLogger(), serverTiming: true },
      { plugin, middlewares: [{ before: () => cached }] },
    )
    const first = (await invoke(handler)) as { response: { headers: Record<string, string> } }
    const second = (await invoke(handler)) as { response: { headers: Record<string, string> } }
    expect(cached).toEqual({ statusCode: 304 })
    for (const answer of [first, second])
      expect(answer.response.headers['Server-Timing']).toMatch(/^total;dur=[\d.]+(, middleware;dur=[\d.]+)?$/)
  })
})

describe('timingLogger: outbound calls', () => {
  const CALLS = Symbol.for('@middy-deadline/outbound.calls')
  const call = (url: string, durationMs: number, outcome: string) => ({
    kind: 'fetch',
    method: 'GET',
    url,
    startMs: 1,
    durationMs,
    outcome,
    status: 200,
  })

  /** Stands in for the outbound package: the same key, the same shape. */
  const recordingCalls = (snapshot: () => unknown): MiddlewareObj => ({
    before: (request) => {
      const { deadline } = request.context as { deadline?: object }
      Object.defineProperty(deadline as object, CALLS, { value: { snapshot }, enumerable: false })
    },
  })

  it('summarises the calls the outbound package kept on the deadline, the three slowest, without query strings', async () => {
    const logger = memoryLogger()
    const snapshot = () => ({
      recent: [
        call('https://api.example.com/users?email=a@b.c', 120, 'ok'),
        { ...call('https://db.example.com/q', 40, 'error'), status: 503 },
        call('https://fast.example.com/', 5, 'ok'),
        null,
      ],
      pending: [call('https://slow.example.com/report#x', 300, 'pending')],
      counts: { started: 9, ok: 2, error: 1, timeout: 3, aborted: 2 },
      totalDurationMs: 165,
      dropped: 0,
    })
    await invoke(chain(async () => 'ok', { logger }, { middlewares: [recordingCalls(snapshot)] }))

    const outbound = logger.records[0]?.outbound as { slowest: { target: string; outcome: string; status: number }[] }
    expect(outbound).toMatchObject({ started: 9, ok: 2, error: 1, timeout: 3, aborted: 2, pending: 1, totalMs: 165 })
    expect(outbound.slowest.map((slow) => [slow.target, slow.outcome, slow.status])).toEqual([
      ['https://slow.example.com/report', 'pending', 200],
      ['https://api.example.com/users', 'ok', 200],
      ['https://db.example.com/q', 'error', 503],
    ])
    expect(JSON.stringify(logger.records[0])).not.toContain('email=')
  })

  it('goes without a summary when the shape is not the expected one, and takes a summary of your own', async () => {
    const logger = memoryLogger()
    await invoke(
      chain(
        async () => 'ok',
        { logger },
        {
          middlewares: [
            recordingCalls(() => {
              throw new Error('other version')
            }),
          ],
        },
      ),
    )
    await invoke(chain(async () => 'ok', { logger, summarizeOutbound: (deadline) => ({ marks: deadline.marks.length }) }))

    expect(logger.records[0]?.outcome).toBe('success')
    expect(logger.records[0]).not.toHaveProperty('outbound')
    expect(logger.records[1]?.outbound).toEqual({ marks: 0 })
  })

  it("keeps what it can read of another version's record, and never a query string", async () => {
    const logger = memoryLogger()
    const snapshots = [
      () => null,
      () => ({ counts: 'three' }),
      () => ({
        counts: { started: '2', ok: 1 },
        recent: [{ url: 'not a url?token=secret', durationMs: Number.NaN, status: '200' }, 'not a call', { url: 42, durationMs: 5 }],
        pending: 'none',
        totalDurationMs: Number.POSITIVE_INFINITY,
      }),
    ]
    for (const snapshot of snapshots) await invoke(chain(async () => 'ok', { logger }, { middlewares: [recordingCalls(snapshot)] }))

    expect(logger.records.map((record) => record.outcome)).toEqual(['success', 'success', 'success'])
    expect(logger.records[0]).not.toHaveProperty('outbound')
    expect(logger.records[1]).not.toHaveProperty('outbound')
    expect(logger.records[2]?.outbound).toEqual({
      started: 0,
      ok: 1,
      error: 0,
      timeout: 0,
      aborted: 0,
      pending: 0,
      totalMs: 0,
      slowest: [
        { kind: undefined, label: undefined, method: undefined, target: undefined, durationMs: 5, outcome: 'unknown', status: undefined },
        { kind: undefined, label: undefined, method: undefined, target: 'not a url', durationMs: 0, outcome: 'unknown', status: undefined },
      ],
    })
  })
})

describe('timingLogger: options', () => {
  it.each([
    [{ nearMissThreshold: 0 }, 'nearMissThreshold'],
    [{ nearMissThreshold: 1.5 }, 'nearMissThreshold'],
    [{ sampleRate: -0.1 }, 'sampleRate'],
    [{ logger: { info: () => {} } }, 'logger.warn'],
    [{ emf: { namespace: '' } }, 'emf.namespace'],
    [{ emf: { namespace: 'x', dimensions: { service: '' } } }, 'emf.dimensions.service'],
    [{ emf: { namespace: 'x', dimensions: { Duration: 'x' } } }, 'emf.dimensions.Duration'],
    [{ emf: { namespace: 'x', dimensions: { ['d'.repeat(256)]: 'x' } } }, `emf.dimensions.${'d'.repeat(256)}`],
    [{ emf: null }, 'emf'],
    [{ emf: { namespace: 'x', unit: 'ms' } }, 'emf.unit'],
    [{ emf: { namespace: 'x', dimensions: 'checkout' } }, 'emf.dimensions'],
    [{ emf: { namespace: 'x', dimensions: {} } }, 'emf.dimensions'],
    [{ emf: { namespace: 'x', dimensions: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, 'v'])) } }, 'emf.dimensions'],
    [{ emf: { namespace: 'x', dimensions: null } }, 'emf.dimensions'],
    [{ serverTiming: 'yes' }, 'serverTiming'],
    [{ sampelRate: 0.5 }, 'sampelRate'],
  ])('rejects %j at creation, naming the option', (options, option) => {
    expect(() => timingLogger(options as never)).toThrow(`@middy-deadline/timing-logger: option \`${option}\``)
  })

  it.each([
    [{ nearMissThreshold: 0 }, 'option `nearMissThreshold` must be a number in (0, 1]'],
    [{ emf: { namespace: 'x', dimensions: null } }, 'option `emf.dimensions` must be an object of name → value'],
    [
      { emf: { namespace: 'x', dimensions: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, 'v'])) } },
      'option `emf.dimensions` must have 1 to 30 entries, got 31',
    ],
    [
      { emf: { namespace: 'x', dimensions: { requestId: 'x' } } },
      'option `emf.dimensions.requestId` is a member of the EMF document (_aws, requestId, Duration, Remaining, NearMiss, TimedOut, ColdStart, TimeoutUsed)',
    ],
    [{ emf: { namespace: 'x', dimensions: { ['d'.repeat(256)]: 'x' } } }, 'is longer than 255 characters'],
  ])('says what is wrong with %j', (options, message) => {
    expect(() => timingLogger(options as never)).toThrow(message)
  })

  it.each(['_aws', 'requestId', 'Duration', 'Remaining', 'NearMiss', 'TimedOut', 'ColdStart', 'TimeoutUsed'])(
    'refuses a dimension named %s, a member of the EMF document',
    (name) => {
      expect(() => timingLogger({ emf: { namespace: 'x', dimensions: { [name]: 'x' } } })).toThrow(`option \`emf.dimensions.${name}\``)
    },
  )

  it('takes the edges of each range: a threshold of 1 or 0.5, 30 dimensions, a dimension name of 255 characters', async () => {
    const thirty = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i}`, 'v']))
    const long = { ['d'.repeat(255)]: 'v' }
    for (const options of [
      { nearMissThreshold: 1 },
      { nearMissThreshold: 0.5 },
      { emf: { namespace: 'x', dimensions: thirty } },
      { emf: { namespace: 'x', dimensions: long } },
    ])
      expect(() => timingLogger(options)).not.toThrow()
    const { lines } = await stdoutLines(() =>
      invoke(chain(async () => 'ok', { logger: memoryLogger(), emf: { namespace: 'x', dimensions: long } })),
    )
    expect(lines[0]).toMatchObject({ ['d'.repeat(255)]: 'v' })
  })

  it('works with the plugin spread into options of its own', async () => {
    const logger = memoryLogger()
    const handler = middy(async () => 'ok', { ...deadlinePlugin(), timeoutEarlyInMillis: 10 }).use(timingLogger({ logger }))
    await invokeWithTimeout(handler, {})
    expect(logger.records[0]?.timingSource).toBe('plugin')
  })
})
