import type { SQSBatchResponse } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { sqsEvent } from './events.js'
import { linesWith } from './harness/index.js'
import { functionUnderTest } from './lifecycle.js'

// docs/examples/sqs-orders.ts under the real runtime: 12 orders of ~100 ms each against a 1 s timeout.

const example = functionUnderTest('docs/examples/sqs-orders.ts')
const bare = functionUnderTest('test/e2e/functions/sqs-bare.ts')

const orderIds = Array.from({ length: 12 }, (_, i) => `order-${String(i + 1).padStart(2, '0')}`)
const saved = (logs: readonly string[]) => linesWith(logs, 'saved order').map((line) => /saved order (\S+)/.exec(line)?.[1] as string)

describe('an SQS batch bigger than the budget (remaining-time-budget)', () => {
  it('answers in time naming exactly the records not done; re-driving them finishes the batch, nothing lost, nothing done twice', async () => {
    const fn = await example.start({ handler: 'index.handler', timeoutMs: 1000 })
    const savedInAll: string[] = []
    let delivery = [...orderIds]
    let rounds = 0

    while (delivery.length > 0 && rounds < 8) {
      rounds++
      const result = await fn.invoke<SQSBatchResponse>(sqsEvent(delivery))
      expect(result.status).toBe('ok')
      expect(result.marginMs).toBeGreaterThan(0)

      const savedNow = saved(result.logs)
      const failures = (result.response?.batchItemFailures ?? []).map((f) => f.itemIdentifier)
      expect([...failures].sort()).toEqual(delivery.filter((id) => !savedNow.includes(id)).sort())
      if (rounds === 1) expect(failures.length).toBeGreaterThan(0)

      savedInAll.push(...savedNow)
      delivery = failures // what SQS delivers again
    }

    expect(delivery).toEqual([])
    expect(rounds).toBeGreaterThan(1)
    expect([...savedInAll].sort()).toEqual(orderIds)
  })

  it('without it, the invocation is cut off mid-batch: the whole batch comes back and what was saved is saved again', async () => {
    const fn = await example.start({ handler: 'index.unprotected', timeoutMs: 1000 })
    const first = await fn.invoke(sqsEvent(orderIds))
    const savedFirst = saved(first.logs)
    const firstSeen = JSON.stringify({ status: first.status, error: first.error?.errorType, savedFirst })
    expect(['timeout', 'error'], firstSeen).toContain(first.status)
    expect(savedFirst.length, firstSeen).toBeGreaterThan(0)
    expect(savedFirst.length, firstSeen).toBeLessThan(orderIds.length)

    // A failed invocation returns every message to the queue.
    const again = await fn.invoke(sqsEvent(orderIds))
    const savedAgain = saved(again.logs)
    const seen = JSON.stringify({ firstSeen, again: again.status, coldStart: again.coldStart, savedAgain })
    expect(savedAgain.filter((id) => savedFirst.includes(id)).length, seen).toBeGreaterThan(0)
  })

  it('works as the exported handler itself, without Middy: the runtime accepts it and it reports the failed record', async () => {
    const fn = await bare.start({ handler: 'index.handler', timeoutMs: 1000 })
    const result = await fn.invoke<SQSBatchResponse>(sqsEvent(['a', 'b', 'c'], (id) => ({ id, fail: id === 'b' })))
    expect(result.status, JSON.stringify(result.error)).toBe('ok')
    expect(result.response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] })
    expect(saved(result.logs).sort()).toEqual(['a', 'c'])
  })
})
