import middy from '@middy/core'
import { type DeadlineContext, deadlinePlugin } from '@middy-deadline/deadline'
import { jsonLine, MAX_LINE_BYTES, RECORD_LIMITS, reachCutoff, timelineOf, warnOnce } from '@middy-deadline/deadline/internal'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { outboundFetchTimeout, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { createLambdaContext } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkedLines, survive } from './harness.js'
import { HOSTILE_VALUES, type Made, RUNS, thrownValue } from './values.js'

const MEGABYTE = 'é'.repeat(1 << 20)

/** Anything a user may put in a record, at any depth: fast-check's values and the hostile ones. */
type Shape = Made | Shape[] | { [key: string]: Shape }
const userShape: fc.Arbitrary<Shape> = fc.letrec<{ value: Shape }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    thrownValue,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
    fc.constant<Made>(() => MEGABYTE),
    fc.constant<Made>(() => Array.from({ length: 5000 }, (_, i) => ({ i, text: 'x'.repeat(40) }))),
  ),
})).value
/** The value a shape stands for, made now (hostile values are made inside the property). */
const made = (shape: Shape): unknown =>
  typeof shape === 'function'
    ? shape()
    : Array.isArray(shape)
      ? shape.map(made)
      : Object.fromEntries(Object.entries(shape).map(([key, value]) => [key, made(value)]))

describe('jsonLine: every line we write', () => {
  it('is one JSON value, at most MAX_LINE_BYTES, whatever the record holds', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), userShape, { maxKeys: 6 }), (shape) => {
        const record = { level: 'INFO', message: 'the record', requestId: 'req-1', ...(made(shape) as object) }
        const line = jsonLine(record)
        expect(line.endsWith('\n')).toBe(true)
        expect(line.indexOf('\n')).toBe(line.length - 1)
        const [parsed] = checkedLines([line.slice(0, -1)])
        // What comes first (level, message, requestId) survives any truncation.
        expect(parsed).toMatchObject({ level: 'INFO', message: 'the record', requestId: 'req-1' })
      }),
      RUNS,
    )
  })

  it('is exactly JSON.stringify when that works and fits', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
        const record = { value }
        const plain = JSON.stringify(record)
        if (Buffer.byteLength(plain) < MAX_LINE_BYTES) expect(jsonLine(record)).toBe(`${plain}\n`)
      }),
      RUNS,
    )
  })

  it.each(HOSTILE_VALUES)('replaces %s, truncating only what does not fit', (_name, make) => {
    const line = jsonLine({ message: 'kept', value: make(), after: 'kept too' })
    const [parsed] = checkedLines([line.slice(0, -1)])
    expect(parsed).toMatchObject({ message: 'kept' })
  })

  it('cuts a line that is too long member by member, says so, and counts bytes, not characters', () => {
    const record = { message: 'first', big: MEGABYTE, list: Array.from({ length: 100_000 }, (_, i) => i), last: 'x' }
    const line = jsonLine(record)
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES)
    const parsed = JSON.parse(line) as Record<string, unknown>
    expect(parsed).toMatchObject({ message: 'first', truncated: true })
    expect((parsed.big as string).endsWith('…')).toBe(true)
    // Not ASCII in the input: escaped, so that the bound counts what CloudWatch counts.
    expect((parsed.big as string).startsWith('é')).toBe(true)
  })
})

describe('the records stay whole and bounded', () => {
  it('the timing record, with 10,000 marks, a megabyte mark and phase name, and fields JSON cannot take', async () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const fields = () => ({
      big: 10n ** 40n,
      cycle,
      date: new Date(0),
      throwing: {
        toJSON() {
          throw new Error('toJSON throws')
        },
      },
      huge: MEGABYTE,
      revoked: HOSTILE_VALUES.find(([name]) => name === 'a revoked proxy')?.[1](),
    })
    const app = async (_event: unknown, context: DeadlineContext) => {
      for (let i = 0; i < 10_000; i++) context.deadline.mark(`step ${i}`)
      context.deadline.mark(MEGABYTE)
      timelineOf(context.deadline).enterPhase(MEGABYTE)
      timelineOf(context.deadline).exitPhase(MEGABYTE)
      return 'ok'
    }
    const handler = middy(app, { ...deadlinePlugin() }).use(timingLogger({ fields }))
    const { lines } = await survive(() => handler({}, createLambdaContext()))
    const record = lines.find((line) => line.outcome === 'success') as Record<string, unknown>
    expect(record).toBeDefined()
    expect(record.marks).toHaveLength(RECORD_LIMITS.marks)
    expect(record.droppedMarks).toBe(10_001 - RECORD_LIMITS.marks)
    const names = [...(record.marks as { name: string }[]), ...(record.phases as { name: string }[])].map((entry) => entry.name)
    for (const name of names) expect(name.length).toBeLessThanOrEqual(RECORD_LIMITS.name)
    expect(record).toMatchObject({ big: '10000000000000000000000000000000000000000', date: '1970-01-01T00:00:00.000Z' })
  })

  it('the timing record given to a logger, within the same bound', async () => {
    const given: unknown[] = []
    const logger = { info: (entry: unknown) => given.push(entry), warn: (entry: unknown) => given.push(entry) }
    const handler = middy(async () => 'ok', { ...deadlinePlugin() }).use(
      timingLogger({ logger, fields: () => ({ huge: MEGABYTE, big: 1n }) }),
    )
    await survive(() => handler({}, createLambdaContext()))
    expect(given).toHaveLength(1)
    expect(Buffer.byteLength(JSON.stringify(given[0]))).toBeLessThan(MAX_LINE_BYTES)
  })

  it("graceful-timeout's timeout record, with 10,000 marks and 1,000 calls still running", async () => {
    const app = async (_event: unknown, context: DeadlineContext) => {
      for (let i = 0; i < 10_000; i++) context.deadline.mark(`${'m'.repeat(1000)} ${i}`)
      const never = Array.from({ length: 1000 }, (_, i) => withDeadline(new Promise(() => {}), { label: `call ${i} ${'l'.repeat(90)}` }))
      // The cutoff, now, with every call still running (on a timer, a loaded machine may be late).
      reachCutoff(context.deadline)
      await Promise.allSettled(never)
      throw context.deadline.signal.reason
    }
    const handler = middy(app)
      .use(gracefulTimeout({ reserveMs: 60 }))
      .use(outboundFetchTimeout())
    const { lines } = await survive(() => handler({}, createLambdaContext({ timeoutMs: 10_000 })).catch(() => undefined))
    const record = lines.find((line) => line.package === '@middy-deadline/graceful-timeout' && line.level === 'ERROR')
    expect(record).toMatchObject({ droppedMarks: 10_000 - RECORD_LIMITS.marks, droppedPending: 1000 - RECORD_LIMITS.pending })
    expect(record?.marks).toHaveLength(RECORD_LIMITS.marks)
    expect(record?.pending).toHaveLength(RECORD_LIMITS.pending)
  })

  it('a warning, whatever its detail holds', async () => {
    const { lines } = await survive(async () => {
      warnOnce(`records-test:${Math.random()}`, '@middy-deadline/example', MEGABYTE, { cycle: HOSTILE_VALUES[8]?.[1](), big: 1n })
    })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 'WARN', package: '@middy-deadline/example' })
  })
})
