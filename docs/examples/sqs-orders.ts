/**
 * Example: an SQS consumer that saves orders, one database write (~100 ms) per message.
 *
 * A batch of 20 messages needs about 2 s, more than this function's timeout. Two versions of the
 * same function, exported side by side so that `npm run demo` can run both:
 *
 * - `unprotected`: the loop everyone writes first. When the batch does not fit, Lambda stops the
 *   invocation mid-loop; the invocation failed, so SQS delivers the WHOLE batch again and every
 *   order already saved is saved a second time.
 * - `handler`: the same work through `sqsBatch` + `remainingTimeBudget`. An order is started
 *   only while it still fits before the cutoff; the function answers in time with
 *   `batchItemFailures` naming exactly the orders not saved, and SQS re-delivers only those.
 *   (The event source mapping must have `ReportBatchItemFailures` turned on.)
 *
 * Deploy either with the handler string `index.handler` / `index.unprotected`.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import middy from '@middy/core'
import { deadlinePlugin } from '@middy-deadline/deadline'
import { remainingTimeBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { timingLogger } from '@middy-deadline/timing-logger'
import type { SQSEvent, SQSRecord } from 'aws-lambda'

interface Order {
  id: string
  /** How long saving this order takes; lets the demo make some orders slow. */
  saveMs?: number
}

/** Stands in for the database write. Given a signal, it stops when the signal aborts. */
async function saveOrder(record: SQSRecord, signal?: AbortSignal): Promise<void> {
  const order = JSON.parse(record.body) as Order
  await sleep(order.saveMs ?? 100, undefined, { signal })
  console.log(`saved order ${order.id}`)
}

// Without our middlewares: all or nothing.
export const unprotected = middy(async (event: SQSEvent) => {
  for (const record of event.Records) await saveOrder(record)
})

// With them: do what fits, report the rest, and write one timing record per invocation.
export const handler = middy(
  sqsBatch((record, { signal }) => saveOrder(record, signal), {
    // Until it has timed a few orders, the runner assumes each takes 100 ms; an order starts
    // only if 1.5 × that still fits before the cutoff.
    expectedMs: 100,
  }),
  deadlinePlugin(), // times each middleware and the handler for the timing record
)
  .use(timingLogger())
  // Keep 300 ms after the cutoff to stop, build the response and return it.
  .use(remainingTimeBudget({ reserveMs: 300 }))
