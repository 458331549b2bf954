import { describe, expect, it } from 'vitest'
import { chain, delayedMiddleware, invoke, memoryLogger, sleep } from './helpers.js'

type Phase = { name: string; startMs: number; durationMs: number; open?: true }

// Real timers on a noisy 2-core VM: a phase takes at least its delay (less a timer's early
// millisecond), and not much more.
function expectAbout(phase: Phase | undefined, ms: number) {
  expect(phase, `phase of ${ms} ms`).toBeDefined()
  expect(phase?.durationMs).toBeGreaterThanOrEqual(ms - 2)
  expect(phase?.durationMs).toBeLessThan(ms + 60)
}

describe('timingLogger: where the time went', () => {
  it('times every middleware and the handler with deadlinePlugin()', async () => {
    const logger = memoryLogger()
    const handler = chain(
      () => sleep(80),
      { logger },
      { middlewares: [delayedMiddleware('auth', { before: 40 }), delayedMiddleware('audit', { after: 30 })] },
    )
    await invoke(handler)

    const [record] = logger.records
    const phases = record?.phases as Phase[]
    const byName = (name: string) => phases.find((phase) => phase.name === name)
    expect(record?.timingSource).toBe('plugin')
    expect(phases.map((phase) => phase.name)).toEqual(['timingLoggerBefore', 'authBefore', 'handler', 'auditAfter', 'timingLoggerAfter'])
    expectAbout(byName('authBefore'), 40)
    expectAbout(byName('handler'), 80)
    expectAbout(byName('auditAfter'), 30)
    // The record is written while our own `after` ends the invocation.
    expect(byName('timingLoggerAfter')?.open).toBe(true)
    expect(byName('handler')?.startMs).toBeGreaterThanOrEqual(38)
    expect(record?.handlerMs).toBe(byName('handler')?.durationMs)
    expect(record?.middlewareMs).toBeGreaterThanOrEqual(68)
    expect(record?.durationMs).toBeGreaterThanOrEqual(148)
    expect(record?.durationMs).toBeLessThan(300)
  })

  it('times the onError middlewares on the error path', async () => {
    const logger = memoryLogger()
    const handler = chain(
      async () => {
        await sleep(30)
        throw new Error('boom')
      },
      { logger },
      { middlewares: [delayedMiddleware('report', { onError: 40 })] },
    )
    await invoke(handler)

    const phases = logger.records[0]?.phases as Phase[]
    expect(phases.map((phase) => phase.name)).toEqual(['timingLoggerBefore', 'handler', 'reportOnError', 'timingLoggerOnError'])
    expectAbout(
      phases.find((phase) => phase.name === 'reportOnError'),
      40,
    )
  })

  it('falls back to coarse spans it can measure itself without the plugin', async () => {
    const logger = memoryLogger()
    const handler = chain(
      () => sleep(60),
      { logger },
      { plugin: false, middlewares: [delayedMiddleware('auth', { before: 30, after: 20 })] },
    )
    await invoke(handler)

    const [record] = logger.records
    const phases = record?.phases as Phase[]
    expect(record?.timingSource).toBe('coarse')
    expect(record?.handlerMs).toBeUndefined()
    expect(phases.map((phase) => phase.name)).toEqual(['inner', 'outer-after'])
    // Later befores, the handler and the inner afters: 30 + 60 + 20 ms.
    expectAbout(phases[0], 110)
    expect(record?.durationMs).toBeGreaterThanOrEqual(108)
  })
})
