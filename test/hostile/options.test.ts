import middy from '@middy/core'
import { type DeadlineContext, DeadlineOptionError, deadlinePlugin } from '@middy-deadline/deadline'
import { reachCutoff } from '@middy-deadline/deadline/internal'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { flushPowertools } from '@middy-deadline/graceful-timeout/powertools'
import { type OutboundFetchContext, outboundFetchTimeout, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { createDurationEstimator, runWithinBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { stepWithinBudget } from '@middy-deadline/remaining-time-budget/durable'
import { createLambdaContext } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ARGUMENT_ENTRIES, creationError, OPTION_ENTRIES } from './entry-points.js'
import { captureOutput } from './output.js'
import { RUNS, thrownValue } from './values.js'

/** The option names an entry knows, as its unknown-key error lists them. */
async function knownOptions(entry: (typeof OPTION_ENTRIES)[number]): Promise<string[]> {
  const error = await creationError(entry, { notAnOption: 1 })
  const known = /\(known: ([^)]*)\)/.exec((error as Error).message)?.[1]
  return known?.split(', ') ?? []
}

describe('every exported factory and helper checks its options when it is created', () => {
  it.each(OPTION_ENTRIES)('$name accepts no options and valid ones', async (entry) => {
    if (!entry.needsOptions) expect(await creationError(entry, undefined)).toBeUndefined()
    expect(await creationError(entry, entry.valid)).toBeUndefined()
  })

  it.each(OPTION_ENTRIES)('$name refuses null, a non-object and an unknown key, naming the package and the option', async (entry) => {
    const self = entry.objectName ?? 'options'
    for (const [options, option, problem] of [
      [null, self, 'must be an object, got null'],
      [42, self, 'must be an object, got 42'],
      ['fast', self, 'must be an object, got "fast"'],
      [{ ...entry.valid, notAnOption: 1 }, 'notAnOption', 'is unknown (known: '],
    ] as const) {
      const error = await creationError(entry, options)
      expect(error).toBeInstanceOf(DeadlineOptionError)
      expect((error as Error).message).toContain(`${entry.packageName}: option \`${option}\` ${problem}`)
    }
  })

  it.each(OPTION_ENTRIES)('$name reads only the options object own properties, never a polluted prototype', async (entry) => {
    const known = await knownOptions(entry)
    expect(known.length).toBeGreaterThan(0)
    const prototype = Object.prototype as Record<string, unknown>
    try {
      // Values that no option accepts: read from the prototype, any of them would fail creation.
      // Not `signal`: Node's own addEventListener reads it from every option bag, ours included.
      for (const key of known) if (key !== 'signal') prototype[key] = Symbol('polluted')
      if (!entry.needsOptions) expect(await creationError(entry, {})).toBeUndefined()
      expect(await creationError(entry, entry.valid)).toBeUndefined()
    } finally {
      for (const key of known) delete prototype[key]
    }
  })

  it.each(OPTION_ENTRIES)('$name turns options that throw when read into an option error', async (entry) => {
    const throwing = new Proxy(
      {},
      {
        ownKeys() {
          throw Object.create(null)
        },
      },
    )
    const error = await creationError(entry, throwing)
    expect(error).toBeInstanceOf(DeadlineOptionError)
    expect((error as Error).message).toContain(
      `${entry.packageName}: option \`${entry.objectName ?? 'options'}\` could not be read (an object)`,
    )
  })

  it.each(ARGUMENT_ENTRIES)('$name refuses its bad argument at the call, naming it', async ({ packageName, option, call }) => {
    let error: unknown
    try {
      await call()
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(DeadlineOptionError)
    expect((error as Error).message).toContain(`${packageName}: option \`${option}\``)
  })
})

describe('any options object at all (property)', () => {
  it.each(OPTION_ENTRIES)('$name either accepts it or refuses it with an option error naming the package', async (entry) => {
    const known = (await knownOptions(entry)).filter((key) => !entry.usedAtCreation?.includes(key))
    // Known keys with any value, unknown keys, and values that are not an options object at all.
    const options = fc.oneof(
      fc.dictionary(fc.constantFrom(...known), thrownValue),
      fc.dictionary(fc.oneof(fc.constantFrom(...known), fc.string()), thrownValue, { maxKeys: 3 }),
      thrownValue.map((make) => () => make()),
    )
    await fc.assert(
      fc.asyncProperty(options, async (shape) => {
        const given = typeof shape === 'function' ? shape() : Object.fromEntries(Object.entries(shape).map(([key, make]) => [key, make()]))
        const error = await creationError(entry, given)
        if (error === undefined) return
        expect(error).toBeInstanceOf(DeadlineOptionError)
        expect((error as Error).message.startsWith(`${entry.packageName}: option \``)).toBe(true)
      }),
      RUNS,
    )
  })
})

describe('sizes and counts have upper bounds, refused at creation', () => {
  const fns = (n: number) => Array.from({ length: n }, () => () => {})
  it.each([
    ['onTimeout hooks', () => gracefulTimeout({ onTimeout: fns(17) }), 'option `onTimeout` must have at most 16 entries, got 17'],
    ['reserveMs', () => gracefulTimeout({ reserveMs: 900_001 }), 'option `reserveMs` must be a number of milliseconds in (0, 900000]'],
    ['Powertools loggers', () => flushPowertools({ logger: fns(17).map((flushBuffer) => ({ flushBuffer })) }), 'at most 16 entries'],
    ['concurrency', () => runWithinBudget([], async () => {}, { concurrency: 10_001 }), 'must be a whole number in [1, 10000]'],
    ['safetyFactor', () => runWithinBudget([], async () => {}, { safetyFactor: 101 }), 'must be a number in [1, 100]'],
    ['itemTimeoutMs', () => runWithinBudget([], async () => {}, { itemTimeoutMs: 2 ** 31 }), 'option `itemTimeoutMs`'],
    ['windowSize', () => createDurationEstimator({ windowSize: 1001 }), 'option `windowSize` must be a whole number in [1, 1000]'],
    [
      'minSamples above windowSize',
      () => createDurationEstimator({ windowSize: 4, minSamples: 5 }),
      'must not exceed windowSize (4), got 5',
    ],
    [
      'withDeadline label',
      () => withDeadline(Promise.resolve(), { label: 'x'.repeat(101) }),
      'option `label` must be a non-empty string of at most 100',
    ],
    ['EMF namespace', () => timingLogger({ emf: { namespace: 'n'.repeat(256) } }), 'option `emf.namespace`'],
    [
      'EMF dimensions',
      () => timingLogger({ emf: { namespace: 'n', dimensions: Object.fromEntries(fns(31).map((_, i) => [`d${i}`, 'v'])) } }),
      'option `emf.dimensions` must have 1 to 30 entries, got 31',
    ],
    [
      'EMF dimension value',
      () => timingLogger({ emf: { namespace: 'n', dimensions: { d: 'v'.repeat(1025) } } }),
      'option `emf.dimensions.d`',
    ],
  ])('%s', (_what, create, message) => {
    expect(create).toThrow(DeadlineOptionError)
    expect(create).toThrow(message)
  })

  it('minYieldSeconds and expectedMs of a durable step', async () => {
    const context = { step: async () => ({}), wait: async () => {} } as never
    await expect(stepWithinBudget(context, 'x', async () => 1, { expectedMs: 1, minYieldSeconds: 901 })).rejects.toThrow(
      'option `minYieldSeconds` must be a whole number in [1, 900], got 901',
    )
    await expect(stepWithinBudget(context, 'x', async () => 1, { expectedMs: 900_001 })).rejects.toThrow(DeadlineOptionError)
  })
})

describe('a polluted Object.prototype during an invocation', () => {
  it('supplies no hook, logger, fetch, field function, estimator or watchdog to any middleware or helper', async () => {
    const spy = vi.fn()
    const polluted: Record<string, unknown> = {
      onTimeout: spy,
      timeoutResponse: spy,
      fetch: spy,
      fields: spy,
      summarizeOutbound: spy,
      random: spy,
      logger: { error: spy, warn: spy, info: spy },
      watchdog: { watch: spy, prepare: spy },
      onRun: spy,
      continueWith: spy,
      orderKey: spy,
      estimator: { estimate: spy, record: spy },
    }
    const realFetch = globalThis.fetch
    const output = captureOutput()
    let outcome: unknown
    try {
      globalThis.fetch = async () => new Response('ok')
      Object.assign(Object.prototype, polluted)
      const app = async (_event: unknown, context: OutboundFetchContext<DeadlineContext>) => {
        await (await context.fetch('https://example.com/')).text()
        await runWithinBudget([1, 2], async () => {})
        // The cutoff, now: what the middlewares do then is what a polluted prototype could supply.
        reachCutoff(context.deadline)
        return 'late'
      }
      const handler = middy(app, { ...deadlinePlugin() })
        .use(timingLogger({ sampleRate: 0.5 }))
        .use(gracefulTimeout({ reserveMs: 100 }))
        .use(outboundFetchTimeout())
      outcome = await handler({}, createLambdaContext({ timeoutMs: 10_000 })).catch((error: unknown) => error)
      await sqsBatch(async () => {})({ Records: [{ messageId: '1' }] } as never, createLambdaContext())
    } finally {
      for (const key of Object.keys(polluted)) delete (Object.prototype as Record<string, unknown>)[key]
      globalThis.fetch = realFetch
      output.restore()
    }
    expect(spy).not.toHaveBeenCalled()
    // The handler answered after the cutoff: as documented, its answer stands, with the record written.
    expect(outcome).toBe('late')
    const lines = output.parsed()
    expect(lines.filter((line) => line.package === '@middy-deadline/graceful-timeout' && line.level === 'ERROR')).toHaveLength(1)
    expect(lines.filter((line) => line.cutoffReached === true)).toHaveLength(1)
  })
})

afterEach(() => {
  // A failed assertion inside a try must not leave the prototype polluted for the next test.
  expect(Object.keys(Object.prototype)).toEqual([])
})
