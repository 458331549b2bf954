import middy from '@middy/core'
import { BatchReportError, remainingTimeBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { sleep, sqsRecord } from './events.js'
import { quietStderr } from './quiet-stderr.js'

afterEach(() => {
  vi.useRealTimers()
})

const event = (Records: SQSRecord[]): SQSEvent => ({ Records })

describe('sqsBatch', () => {
  it('answers with no failures when every message is done', async () => {
    const handler = middy(sqsBatch(async () => {})).use(remainingTimeBudget())
    const response = await handler(event([sqsRecord('m1', 'a'), sqsRecord('m2', 'b')]), createLambdaContext())
    expect(response).toEqual({ batchItemFailures: [] })
  })

  it('reports the messageId of every failed and every not-started message', async () => {
    vi.useFakeTimers()
    const handler = middy(
      sqsBatch(
        async (record) => {
          await sleep(100)
          if (record.body === 'bad') throw new Error('cannot parse')
        },
        { expectedMs: 100, safetyFactor: 1, estimator: false, concurrency: 2 },
      ),
    ).use(remainingTimeBudget({ reserveMs: 100 }))
    const records = ['ok', 'bad', 'ok', 'ok', 'bad', 'ok', 'ok'].map((body, i) => sqsRecord(`m${i + 1}`, body))
    const pending = handler(event(records), createLambdaContext({ timeoutMs: 400 }))
    await vi.runAllTimersAsync()
    // cutoff at 300: pairs start at 0, 100, 200; m7 would need 100 ms from 300
    expect(await pending).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm5' }, { itemIdentifier: 'm7' }],
    })
  })

  it('keeps each FIFO message group in order: after one fails, the rest of its group is reported unstarted', async () => {
    const seen: string[] = []
    const handler = middy(
      sqsBatch(
        async (record) => {
          seen.push(record.messageId)
          await sleep(2)
          if (record.messageId === 'a2') throw new Error('downstream said no')
        },
        { concurrency: 4 },
      ),
    ).use(remainingTimeBudget())
    const fifo = (id: string, group: string) => sqsRecord(id, id, 'orders.fifo', group)
    const records = [fifo('a1', 'A'), fifo('b1', 'B'), fifo('a2', 'A'), fifo('b2', 'B'), fifo('a3', 'A'), fifo('a4', 'A'), fifo('b3', 'B')]
    // A minute to go: the answer comes once nothing more may start, not at the cutoff.
    const response = await handler(event(records), createLambdaContext({ timeoutMs: 60_000 }))
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'a2' }, { itemIdentifier: 'a3' }, { itemIdentifier: 'a4' }] })
    expect(seen).not.toContain('a3')
    expect(seen.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2', 'b3'])
  })

  it('does not order a standard queue by MessageGroupId (fair queues carry one too)', async () => {
    const seen: string[] = []
    const handler = middy(
      sqsBatch(async (record) => {
        seen.push(record.messageId)
        if (record.messageId === 'x1') throw new Error('no')
      }),
    ).use(remainingTimeBudget())
    const records = [sqsRecord('x1', '', 'fair', 'tenant-1'), sqsRecord('x2', '', 'fair', 'tenant-1')]
    expect(await handler(event(records), createLambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'x1' }] })
    expect(seen).toEqual(['x1', 'x2'])
  })

  it('works as a plain Lambda handler without Middy, on its own deadline', async () => {
    const handler = sqsBatch(async (record, { deadline }) => {
      if (deadline === undefined || deadline.remaining() <= 0) throw new Error('no deadline')
      if (record.body === 'bad') throw new Error('bad')
    })
    const context = createLambdaContext()
    expect(await handler(event([sqsRecord('m1', 'ok'), sqsRecord('m2', 'bad')]), context)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm2' }],
    })
    expect((context as { deadline?: { ended: boolean } }).deadline?.ended).toBe(true)
  })

  it('fails the whole batch rather than drop a failed message it cannot name', async () => {
    const handler = middy(sqsBatch(async () => Promise.reject(new Error('boom')))).use(remainingTimeBudget())
    const broken = { ...sqsRecord('m1', ''), messageId: '' }
    await expect(handler(event([broken]), createLambdaContext())).rejects.toBeInstanceOf(BatchReportError)
  })

  it('rejects bad options when the handler is created', () => {
    expect(() => sqsBatch(async () => {}, { reserveMs: -5 })).toThrow(/`reserveMs`/)
    expect(() => sqsBatch(async () => {}, { fifo: 'yes' as never })).toThrow(/`fifo`/)
    expect(() => sqsBatch(async () => {}, { concurency: 2 } as never)).toThrow(/`concurency` is unknown \(known: concurrency, /)
  })
})

describe('sqsBatch on real timers', () => {
  it('answers before Middy’s own timeout even when a record ignores its signal', async () => {
    const handler = middy(
      sqsBatch(
        async (record, { signal }) => {
          // m1 and m3 finish quickly; m2 ignores its signal: it is abandoned and reported
          await (record.messageId === 'm2' ? new Promise((r) => setTimeout(r, 2000)) : new Promise((r) => setTimeout(r, 50)))
          signal.throwIfAborted()
        },
        { concurrency: 2, abandonAfterMs: 30 },
      ),
    ).use(remainingTimeBudget({ reserveMs: 150 }))
    const started = performance.now()
    const response = await handler(
      { Records: [sqsRecord('m1', ''), sqsRecord('m2', ''), sqsRecord('m3', '')] },
      createLambdaContext({ timeoutMs: 400 }),
    )
    const tookMs = performance.now() - started
    // An answer at all is the proof: had the run waited for m2 past Middy's own timer (5 ms before
    // the hard deadline), Middy would have thrown its TimeoutError instead. That timer is due 115 ms
    // after the abandon wait's, alone in its list, and from the abandon timer to the answer is
    // promises only, so this holds however late the loop runs. (`tookMs < 395` measured the
    // lateness too: 573 ms at load 11 on Node 22, answered all the same.)
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m2'])
    expect(tookMs).toBeGreaterThanOrEqual(240)
  })

  // Found by the composition matrix: a run whose invocation was settled without its answer (here
  // Middy's own early timeout, set earlier than our cutoff) kept its abandon timer armed after the
  // end of the invocation, into whatever the process did next.
  it('gives up on its records when the invocation ends without its answer, instead of waiting on', async () => {
    let runEnded: () => void = () => {}
    const ended = new Promise<void>((resolve) => {
      runEnded = resolve
    })
    const handler = middy(
      sqsBatch(() => new Promise((resolve) => setTimeout(resolve, 1500)), {
        abandonAfterMs: 250,
        onRun: () => runEnded(),
      }),
      { timeoutEarlyInMillis: 600 },
    ).use(remainingTimeBudget({ reserveMs: 300 }))
    const failed = await handler({ Records: [sqsRecord('m1', '')] }, createLambdaContext({ timeoutMs: 1000 })).catch(
      (error: Error) => error,
    )
    expect((failed as Error).name).toBe('TimeoutError')
    // Ended with the invocation (the deadline's end), not abandonAfterMs (250 ms) after it: before
    // a timer due 100 ms after the invocation's end (Node runs due timers in the order they are
    // due, however late).
    let hundredMsPassed = false
    const timer = setTimeout(() => {
      hundredMsPassed = true
    }, 100)
    await ended
    clearTimeout(timer)
    expect(hundredMsPassed).toBe(false)
  })

  // Found by the composition matrix: Middy 6 hands one AbortController's signal to every
  // invocation in flight and aborts it at any one's early timeout; the batch listened to it, so
  // one invocation timing out stopped the batches of the others (Lambda Managed Instances run
  // several at once). The batch now stops at its own deadline's cutoff only. Run on both majors.
  it("is not stopped by another invocation's early timeout (Middy 6 shares Middy's signal between them)", async () => {
    const stuck = middy(() => new Promise(() => {}))
    const batch = middy(sqsBatch(() => new Promise((resolve) => setTimeout(resolve, 120)))).use(remainingTimeBudget({ reserveMs: 300 }))
    const records = ['m1', 'm2', 'm3'].map((id) => sqsRecord(id, ''))
    const [response] = await Promise.all([
      batch({ Records: records }, createLambdaContext({ timeoutMs: 1500 })),
      // Middy's early timeout fires for this one at 145 ms, in the middle of the batch's second record.
      stuck({}, createLambdaContext({ timeoutMs: 150 })).catch(() => {}),
    ])
    expect(response.batchItemFailures).toEqual([])
  })
})

/** Runs a batch whose first message fails, under remainingTimeBudget(): which messages ran, and which the answer reports. */
async function firstFails(records: SQSRecord[], options: { fifo?: boolean } = {}) {
  const seen: string[] = []
  const handler = middy(
    sqsBatch(async (record) => {
      seen.push(record.messageId)
      if (record.messageId === records[0]?.messageId) throw new Error('downstream said no')
    }, options),
  ).use(remainingTimeBudget())
  const response = await handler(event(records), createLambdaContext())
  return { failed: response.batchItemFailures.map((f) => f.itemIdentifier), seen }
}

// Neither block below writes anything to stderr (see quietStderr).
describe('sqsBatch with records that are not as Lambda sends them', () => {
  quietStderr()
  const fifo = (id: string) => sqsRecord(id, id, 'orders.fifo', 'G')

  it('fails the whole batch for a hole in Records (no message to name), and says nothing else', async () => {
    const handler = middy(sqsBatch(async (record) => record.body)).use(remainingTimeBudget())
    await expect(handler(event([sqsRecord('m1', 'a'), undefined as never]), createLambdaContext())).rejects.toBeInstanceOf(BatchReportError)
  })

  it('on a FIFO queue, keeps messages without attributes (no MessageGroupId) in order as one group', async () => {
    const bare = (id: string) => ({ ...fifo(id), attributes: undefined as never })
    expect(await firstFails([bare('a1'), bare('a2')])).toEqual({ failed: ['a1', 'a2'], seen: ['a1'] })
  })

  it('runs messages without a queue ARN unordered (fifo: auto cannot tell), without a warning', async () => {
    const arnless = (id: string) => ({ ...fifo(id), eventSourceARN: undefined as never })
    expect(await firstFails([arnless('a1'), arnless('a2')])).toEqual({ failed: ['a1'], seen: ['a1', 'a2'] })
  })
})

describe('sqsBatch’s fifo option', () => {
  quietStderr()
  it('true orders by MessageGroupId whatever the queue is called; false does not order even a .fifo queue', async () => {
    const group = (queue: string) => ['g1', 'g2'].map((id) => sqsRecord(id, '', queue, 'G'))
    expect(await firstFails(group('orders'), { fifo: true })).toEqual({ failed: ['g1', 'g2'], seen: ['g1'] })
    expect(await firstFails(group('orders.fifo'), { fifo: false })).toEqual({ failed: ['g1'], seen: ['g1', 'g2'] })
  })
})
