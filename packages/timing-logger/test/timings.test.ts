import { describe, expect, it } from 'vitest'
import { chain, delayedMiddleware, invoke, memoryLogger, sleep } from './helpers.js'

type Phase = { name: string; startMs: number; durationMs: number; open?: true }

// Real timers on a loaded 2-core machine: a phase takes at least its delay (less a timer's early
// millisecond). How much more depends on the load (60 ms more was not enough at load 13), so the
// upper bound is what the whole invocation took, measured from outside, and the phases follow one
// another without overlapping: time counted in the wrong phase would show there.
function expectAbout(phase: Phase | undefined, ms: number, invocationMs: number) {
  expect(phase, `phase of ${ms} ms`).toBeDefined()
  expect(phase?.durationMs).toBeGreaterThanOrEqual(ms - 2)
  expect(phase?.durationMs).toBeLessThanOrEqual(invocationMs)
}

function expectInSequence(phases: Phase[]) {
  for (const [i, phase] of phases.slice(1).entries()) {
    const before = phases[i] as Phase
    // Start and duration are rounded: a millisecond of slack.
    expect(before.startMs + before.durationMs, `${before.name} ends before ${phase.name} starts`).toBeLessThanOrEqual(phase.startMs + 1)
  }
}

/** Invokes and measures, from outside, how long the invocation took. */
async function timedInvoke(handler: ReturnType<typeof chain>) {
  const started = performance.now()
  await invoke(handler)
  return performance.now() - started
}

describe('timingLogger: where the time went', () => {
  it('times every middleware and the handler with deadlinePlugin()', async () => {
    const logger = memoryLogger()
    const handler = chain(
      () => sleep(80),
      { logger },
      { middlewares: [delayedMiddleware('auth', { before: 40 }), delayedMiddleware('audit', { after: 30 })] },
    )
    const invocationMs = await timedInvoke(handler)

    const [record] = logger.records
    const phases = record?.phases as Phase[]
    const byName = (name: string) => phases.find((phase) => phase.name === name)
    expect(record?.timingSource).toBe('plugin')
    expect(phases.map((phase) => phase.name)).toEqual(['timingLoggerBefore', 'authBefore', 'handler', 'auditAfter', 'timingLoggerAfter'])
    expectInSequence(phases)
    expectAbout(byName('authBefore'), 40, invocationMs)
    expectAbout(byName('handler'), 80, invocationMs)
    expectAbout(byName('auditAfter'), 30, invocationMs)
    // The record is written while our own `after` ends the invocation.
    expect(byName('timingLoggerAfter')?.open).toBe(true)
    // Every other phase had ended: none says `open`.
    expect(phases.filter((phase) => 'open' in phase).map((phase) => phase.name)).toEqual(['timingLoggerAfter'])
    expect(byName('handler')?.startMs).toBeGreaterThanOrEqual(38)
    expect(record?.handlerMs).toBe(byName('handler')?.durationMs)
    expect(record?.middlewareMs).toBeGreaterThanOrEqual(68)
    expect(record?.durationMs).toBeGreaterThanOrEqual(148)
    expect(record?.durationMs).toBeLessThanOrEqual(invocationMs)
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
    const invocationMs = await timedInvoke(handler)

    const phases = logger.records[0]?.phases as Phase[]
    expect(phases.map((phase) => phase.name)).toEqual(['timingLoggerBefore', 'handler', 'reportOnError', 'timingLoggerOnError'])
    expectAbout(
      phases.find((phase) => phase.name === 'reportOnError'),
      40,
      invocationMs,
    )
  })

  it('falls back to coarse spans it can measure itself without the plugin', async () => {
    const logger = memoryLogger()
    const handler = chain(
      () => sleep(60),
      { logger },
      { plugin: false, middlewares: [delayedMiddleware('auth', { before: 30, after: 20 })] },
    )
    const invocationMs = await timedInvoke(handler)

    const [record] = logger.records
    const phases = record?.phases as Phase[]
    expect(record?.timingSource).toBe('coarse')
    expect(record?.handlerMs).toBeUndefined()
    expect(phases.map((phase) => phase.name)).toEqual(['inner', 'outer-after'])
    // Later befores, the handler and the inner afters: 30 + 60 + 20 ms.
    expectInSequence(phases)
    expectAbout(phases[0], 110, invocationMs)
    expect(record?.durationMs).toBeGreaterThanOrEqual(108)
  })
})
