import middy from '@middy/core'
import type { Deadline } from '@middy-deadline/deadline'
import {
  type BatchHandler,
  type BudgetRun,
  dynamodbStreamBatch,
  type ItemContext,
  kinesisBatch,
  remainingTimeBudget,
  sqsBatch,
} from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import type { Context } from 'aws-lambda'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { dynamodbRecord, kinesisRecord, sqsRecord } from './events.js'
import { settledOnTheFakeClock } from './fake-clock.js'

/**
 * The invariant of every partial batch response, on random batches: no record is silently
 * dropped (each one is either done, its function having finished, or named for retry), and
 * the ordering rules of FIFO queues and streams hold. Fake timers: a 15-minute budget costs
 * nothing, and Date, timers and performance.now() all move together. (Middy arms its own early
 * timeout with `setTimeout` from 'node:timers', which fake timers do not replace: that race is
 * covered by the real-timer tests in sqs.test.ts.)
 */

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.clearAllTimers()
  vi.useRealTimers()
})

type Source = 'sqs' | 'sqs-fifo' | 'kinesis' | 'dynamodb'

interface Spec {
  durationMs: number
  fails: boolean
  ignoresSignal: boolean
  group: 'A' | 'B' | 'C'
}

const recordSpec = fc.record<Spec>({
  durationMs: fc.integer({ min: 0, max: 400 }),
  fails: fc.constantFrom(false, false, false, true),
  ignoresSignal: fc.constantFrom(false, false, false, false, true),
  group: fc.constantFrom('A', 'B', 'C'),
})

const scenario = fc.record({
  source: fc.constantFrom<Source>('sqs', 'sqs-fifo', 'kinesis', 'dynamodb'),
  records: fc.array(recordSpec, { minLength: 0, maxLength: 25 }),
  timeoutMs: fc.integer({ min: 20, max: 3000 }),
  reserveMs: fc.integer({ min: 0, max: 400 }),
  concurrency: fc.integer({ min: 1, max: 6 }),
  expectedMs: fc.integer({ min: 0, max: 300 }),
  safetyFactor: fc.double({ min: 1, max: 3, noNaN: true }),
  learn: fc.boolean(),
  abandonAfterMs: fc.integer({ min: 0, max: 100 }),
  // previous invocations of the same handler (the learned estimate carries over)
  warmups: fc.integer({ min: 0, max: 2 }),
})

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never

function idOf(source: Source, index: number) {
  return source.startsWith('sqs') ? `m${index}` : String(1000 + index)
}

function eventOf(s: Scenario) {
  const Records = s.records.map((r, i) => {
    const id = idOf(s.source, i)
    if (s.source === 'sqs') return sqsRecord(id, String(i))
    if (s.source === 'sqs-fifo') return sqsRecord(id, String(i), 'q.fifo', r.group)
    if (s.source === 'kinesis') return kinesisRecord(id, String(i))
    return dynamodbRecord(id, String(i))
  })
  return { Records }
}

function indexOf(record: { messageId?: string; kinesis?: { data: string }; dynamodb?: { Keys?: { id?: { S?: string } } } }) {
  if (record.messageId !== undefined) return Number(record.messageId.slice(1))
  if (record.kinesis !== undefined) return Number(Buffer.from(record.kinesis.data, 'base64').toString())
  return Number(record.dynamodb?.Keys?.id?.S)
}

async function invokeOnce(s: Scenario) {
  const started = new Set<number>()
  const finishedOk = new Set<number>()
  const startedWithRemaining: number[] = []
  let snapshotOk: Set<number> | undefined
  let run: BudgetRun<unknown, unknown> | undefined

  const recordFn = (record: never, { signal, deadline }: ItemContext) => {
    const index = indexOf(record)
    const spec = s.records[index] as Spec
    started.add(index)
    startedWithRemaining.push((deadline as Deadline).remaining())
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (spec.fails) return reject(new Error(`record ${index} failed`))
        finishedOk.add(index)
        resolve()
      }, spec.durationMs)
      if (!spec.ignoresSignal) {
        signal.addEventListener('abort', () => {
          clearTimeout(timer)
          reject(signal.reason)
        })
      }
    })
  }
  const options = {
    concurrency: s.concurrency,
    expectedMs: s.expectedMs,
    safetyFactor: s.safetyFactor,
    abandonAfterMs: s.abandonAfterMs,
    ...(s.learn ? {} : { estimator: false as const }),
    onRun: (r: BudgetRun<unknown, unknown>) => {
      run = r
      snapshotOk = new Set(finishedOk)
    },
  }
  const inner: BatchHandler<never> =
    s.source === 'kinesis'
      ? kinesisBatch(recordFn, options)
      : s.source === 'dynamodb'
        ? dynamodbStreamBatch(recordFn, options)
        : sqsBatch(recordFn, { ...options, fifo: s.source === 'sqs-fifo' })
  return { inner, started, finishedOk, startedWithRemaining, snapshot: () => ({ snapshotOk, run }) }
}

async function invoke(handler: (event: never, context: Context) => Promise<unknown>, s: Scenario) {
  const pending = handler(eventOf(s) as never, createLambdaContext({ timeoutMs: s.timeoutMs })).then(
    (response) => ({ ok: true as const, response: response as { batchItemFailures: { itemIdentifier: string }[] } }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  await settledOnTheFakeClock(pending)
  return pending
}

describe('partial batch responses (property)', () => {
  const seen = { done: 0, failed: 0, abandoned: 0, 'no-time': 0, aborted: 0, ordering: 0 }
  it('never drop a record, never call a record done before its function finished, and keep the order rules', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const probe = await invokeOnce(s)
        // Middy's early timeout runs on the real clock (see above): off, or a loaded machine lets it fire
        // in the middle of a fake-timer run of a 20 ms budget.
        const handler = middy(probe.inner, { timeoutEarlyInMillis: 0 }).use(remainingTimeBudget({ reserveMs: s.reserveMs }))
        for (let i = 0; i < s.warmups; i++) await invoke(handler, s)
        probe.started.clear()
        probe.finishedOk.clear()
        probe.startedWithRemaining.length = 0

        const outcome = await invoke(handler, s)
        const n = s.records.length
        const all = [...Array(n).keys()]

        // Every record was started with time left before the cutoff; with a fixed expected
        // duration, with at least expected × safety factor left.
        const need = s.learn ? 1 : Math.max(1, s.expectedMs * s.safetyFactor)
        for (const remaining of probe.startedWithRemaining) expect(remaining).toBeGreaterThanOrEqual(need)

        // Every record here has an identifier, so the handler always answers.
        if (!outcome.ok) throw outcome.error
        const { snapshotOk, run } = probe.snapshot()
        const ok = snapshotOk ?? new Set<number>()
        const reported = outcome.response.batchItemFailures.map((f) => f.itemIdentifier)
        for (const [index, o] of (run?.outcomes ?? []).entries()) {
          if (o.status === 'not-started') seen[o.reason]++
          else if (o.status === 'failed' && (o.error as Error).message.includes('had not settled')) seen.abandoned++
          else seen[o.status]++
          if (o.status === 'done') expect(ok.has(index)).toBe(true)
          if (o.status === 'not-started') expect(probe.started.has(index)).toBe(false)
        }

        if (s.source === 'sqs' || s.source === 'sqs-fifo') {
          // Exactly the messages not finished when the response was built are reported.
          const expected = all.filter((i) => !ok.has(i)).map((i) => idOf(s.source, i))
          expect(reported).toEqual(expected)
          if (s.source === 'sqs-fifo') {
            for (const group of ['A', 'B', 'C']) {
              const inGroup = all.filter((i) => s.records[i]?.group === group)
              const firstReported = inGroup.findIndex((i) => reported.includes(idOf(s.source, i)))
              if (firstReported === -1) continue
              // Once one message of a group is reported, every later one is too, and none of
              // those later ones ever ran.
              for (const i of inGroup.slice(firstReported)) expect(reported).toContain(idOf(s.source, i))
              for (const i of inGroup.slice(firstReported + 1)) expect(probe.started.has(i)).toBe(false)
            }
          }
        } else {
          const firstNotOk = all.find((i) => !ok.has(i))
          expect(reported).toEqual(firstNotOk === undefined ? [] : [idOf(s.source, firstNotOk)])
          if (firstNotOk !== undefined) {
            // Lambda retries from the reported record: nothing after it may have run.
            for (const i of all.slice(firstNotOk + 1)) expect(probe.started.has(i)).toBe(false)
          }
        }
      }),
      { numRuns: 300 },
    )
    // The random batches did exercise every way a record can end (not a vacuous pass).
    for (const [kind, count] of Object.entries(seen)) expect(count, kind).toBeGreaterThan(0)
  })
})
