import middy from '@middy/core'
import { deadlinePlugin } from '@middy-deadline/deadline'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'
import { describe, expect, it, vi } from 'vitest'
import { captureStderr, captureStdout } from '../../../test/support/output.js'
import { chain, invoke, memoryLogger, stdoutLines } from './helpers.js'

// What the timing logger says on stderr, and when it says nothing. A warning is said once per
// process, so a retried test would not see again what its first attempt used up (a mutant that
// warns when it should not would pass on the retry): these run once. No warm-up invocation
// either: one outside a test would say, unseen, what a test is here to see or not to see.
const PACKAGE = '@middy-deadline/timing-logger'
const CALLS = Symbol.for('@middy-deadline/outbound.calls')

/** One warning line on stderr, as the package writes it. */
const warning = (message: string, detail: Record<string, unknown> = {}) => ({ level: 'WARN', package: PACKAGE, message, ...detail })

describe('timingLogger: what it says on stderr', { retry: 0 }, () => {
  it('says nothing with deadlinePlugin() and the default output', async () => {
    const stderr = captureStderr()
    const { lines } = await stdoutLines(() => invoke(chain(async () => 'ok', {})))

    expect(lines).toEqual([expect.objectContaining({ outcome: 'success', timingSource: 'plugin' })])
    expect(stderr.chunks).toEqual([])
  })

  it('says once, without deadlinePlugin(), that the record shows coarse phases, and how to set the plugin up', async () => {
    const stderr = captureStderr()
    const logger = memoryLogger()
    const handler = chain(async () => 'ok', { logger }, { plugin: false })
    await invoke(handler)
    await invoke(handler)

    expect(logger.records.map((record) => record.timingSource)).toEqual(['coarse', 'coarse'])
    expect(stderr.lines()).toEqual([
      warning('deadlinePlugin() is not set up: the record shows coarse phases only', { setup: 'middy(handler, { ...deadlinePlugin() })' }),
    ])
  })

  it('used twice in one chain, writes one record per invocation (the outer one’s), and says so once', async () => {
    const stderr = captureStderr()
    const outer = memoryLogger()
    const inner = memoryLogger()
    const handler = middy(async () => 'ok', deadlinePlugin())
      .use(timingLogger({ logger: outer }))
      .use(timingLogger({ logger: inner }))
    const first = await invokeWithTimeout(handler, {})
    const second = await invokeWithTimeout(handler, {})

    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded'])
    expect(outer.records.map((record) => record.outcome)).toEqual(['success', 'success'])
    expect(inner.records).toEqual([])
    expect(stderr.lines()).toEqual([
      warning('timingLogger used twice in one chain: the outer one writes the record, the inner one writes nothing'),
    ])
  })

  it('takes a fields hook that returns nothing (undefined, null) or no object as adding no field, and says nothing', async () => {
    const stderr = captureStderr()
    const logger = memoryLogger()
    for (const returned of [undefined, null, 'abc']) await invoke(chain(async () => 'ok', { logger, fields: () => returned as never }))

    expect(logger.records).toHaveLength(3)
    for (const record of logger.records) {
      expect(record).toMatchObject({ outcome: 'success' })
      expect(record).not.toHaveProperty('0')
    }
    expect(stderr.chunks).toEqual([])
  })

  it('says why when the record cannot be written (stdout throws), and the invocation still answers', async () => {
    const stderr = captureStderr()
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => {
      throw new Error('stdout is closed')
    })
    const outcome = await invoke(chain(async () => 'ok', {})).finally(() => write.mockRestore())

    expect(outcome).toMatchObject({ status: 'succeeded', response: 'ok' })
    expect(stderr.lines()).toEqual([warning('could not write the timing record', { error: 'Error: stdout is closed' })])
  })

  it('says so when the logger throws, and the record goes to stdout with the record’s own names', async () => {
    const stderr = captureStderr()
    const broken = {
      info: () => {
        throw new Error('logger closed')
      },
      warn: () => {},
    }
    const { lines } = await stdoutLines(() =>
      invoke(
        chain(async () => 'ok', { logger: broken }),
        {},
        { awsRequestId: 'req-thrown' },
      ),
    )

    expect(lines).toEqual([expect.objectContaining({ level: 'INFO', requestId: 'req-thrown', outcome: 'success' })])
    expect(stderr.lines()).toEqual([
      warning('the logger failed; the timing record went to stdout instead', { error: 'Error: logger closed' }),
    ])
  })

  it('writes the record to stdout when the promise a logger returned rejects, once it does, and says so', async () => {
    const stderr = captureStderr()
    const stdout = captureStdout()
    let reject: (reason: unknown) => void = () => {}
    const pending = new Promise((_resolve, rejectIt) => {
      reject = rejectIt
    })
    const logger = { info: () => pending, warn: () => pending }
    const outcome = await invoke(
      chain(async () => 'ok', { logger }),
      {},
      { awsRequestId: 'req-rejected' },
    )
    expect(stdout.chunks).toEqual([])
    reject(new Error('transport down'))
    // The rejection's handler runs on the next turn of the loop.
    await new Promise((resolve) => setImmediate(resolve))

    expect(outcome.status).toBe('succeeded')
    expect(stdout.lines()).toEqual([expect.objectContaining({ level: 'INFO', requestId: 'req-rejected', outcome: 'success' })])
    expect(stderr.lines()).toEqual([
      warning('the logger failed; the timing record went to stdout instead', { error: 'Error: transport down' }),
    ])
  })

  it('keeps the record when random() throws (and says so) or answers something else than a number', async () => {
    const stderr = captureStderr()
    const logger = memoryLogger()
    const throwing = () => {
      throw new Error('no entropy')
    }
    // A warm process: a cold start is always written, whatever the draw.
    await invoke(chain(async () => 'warm', { logger: memoryLogger() }))
    await invoke(chain(async () => 'ok', { logger, sampleRate: 0.5, random: throwing }))
    await invoke(chain(async () => 'ok', { logger, sampleRate: 0.5, random: () => '0.9' as never }))

    expect(logger.records.map((record) => record.sampleRate)).toEqual([0.5, 0.5])
    expect(stderr.lines()).toEqual([warning('random() failed; the record is written', { error: 'Error: no entropy' })])
  })

  it('writes the record without an outbound summary when reading the calls fails, and says so; says nothing for a summary without counts', async () => {
    const stderr = captureStderr()
    const logger = memoryLogger()
    const keptCalls = (snapshot: () => unknown) => ({
      before: (request: { context: unknown }) => {
        const { deadline } = request.context as { deadline: object }
        Object.defineProperty(deadline, CALLS, { value: { snapshot }, enumerable: false })
      },
    })
    const failing = () => {
      throw new Error('other version')
    }
    await invoke(chain(async () => 'ok', { logger }, { middlewares: [keptCalls(() => ({ counts: null, recent: [] }))] }))
    expect(stderr.chunks).toEqual([])
    await invoke(chain(async () => 'ok', { logger }, { middlewares: [keptCalls(failing)] }))

    expect(logger.records.map((record) => [record.outcome, 'outbound' in record])).toEqual([
      ['success', false],
      ['success', false],
    ])
    expect(stderr.lines()).toEqual([
      warning('could not read the outbound calls; the record goes without them', { error: 'Error: other version' }),
    ])
  })
})
