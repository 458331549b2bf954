import middy from '@middy/core'
import { currentDeadline, type DeadlineContext, deadline } from '@middy-deadline/deadline'
import { kinesisBatch, remainingTimeBudget, runWithinBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

// Overlapping invocations started from one caller, outside Lambda's runtime (where our own
// AsyncLocalStorage holds the current deadline), through every entry point we own: a batch handler
// called without Middy, and @middy-deadline/testing's invokeWithTimeout around a Middy chain.
// Properties: every piece of work (record, item, handler) runs under its own invocation's deadline
// and never another's; once a call has returned its promise the caller's context does not hold
// that invocation's deadline. Optionally a Middy chain called directly goes first: Middy runs its
// first `before` in the caller's frame, so its deadline stays in the caller's context (the
// documented limit); the calls after it must still not adopt it. Interleaving comes from promise
// turns only (no timers), so fast-check's shrinking replays a failure exactly.

type Kind = 'sqs-direct' | 'kinesis-direct' | 'testing-middy' | 'testing-sqs-in-middy' | 'testing-runner-in-middy'

const invocation = fc.record({
  kind: fc.constantFrom<Kind>('sqs-direct', 'kinesis-direct', 'testing-middy', 'testing-sqs-in-middy', 'testing-runner-in-middy'),
  // Promise turns each piece of work waits, twice: before and after it looks.
  turns: fc.array(fc.tuple(fc.nat(6), fc.nat(6)), { minLength: 1, maxLength: 4 }),
  concurrency: fc.integer({ min: 1, max: 3 }),
})

const scenario = fc.record({
  leakFirst: fc.boolean(),
  invocations: fc.array(invocation, { minLength: 1, maxLength: 6 }),
})

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await null
}

describe('overlapping invocations from one caller (property)', () => {
  it('each runs under its own deadline only, and none stays in the caller once its call has returned', async () => {
    const seen = { leaked: 0, kinds: new Set<Kind>() }
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const problems: string[] = []
        const look = (where: string, expected: string) => {
          const found = currentDeadline()?.requestId
          if (found !== expected) problems.push(`${where}: expected ${expected}, found ${found ?? 'none'}`)
        }
        const pending: Promise<unknown>[] = []
        let leakedId: string | undefined

        if (s.leakFirst) {
          leakedId = 'leak'
          const chain = middy(
            async () => {
              await turns(20)
              look('the directly called chain', 'leak')
            },
            { timeoutEarlyInMillis: 0 },
          ).use(deadline())
          pending.push(chain({}, createLambdaContext({ awsRequestId: 'leak', timeoutMs: 60_000 })))
          // The limit, as documented: Middy entered this deadline in our frame.
          if (currentDeadline()?.requestId === 'leak') seen.leaked++
        }

        for (const [index, spec] of s.invocations.entries()) {
          const id = `inv-${index}`
          seen.kinds.add(spec.kind)
          const context = createLambdaContext<DeadlineContext>({ awsRequestId: id, timeoutMs: 60_000 })
          const work = async (where: string) => {
            for (const [before, after] of spec.turns) {
              await turns(before)
              look(where, id)
              await turns(after)
            }
          }
          const records = spec.turns.map((_, i) => ({ messageId: `${id}-m${i}`, body: '', kinesis: { sequenceNumber: String(i) } }))
          const recordFn = async (_record: unknown, { deadline: itemDeadline }: { deadline: { requestId: string } | undefined }) => {
            if (itemDeadline?.requestId !== id) problems.push(`${id} record: given ${itemDeadline?.requestId ?? 'no'} deadline`)
            await work(`${id} record`)
          }
          let call: Promise<unknown>
          if (spec.kind === 'sqs-direct') {
            call = sqsBatch(recordFn, { concurrency: spec.concurrency })({ Records: records } as never, context)
          } else if (spec.kind === 'kinesis-direct') {
            call = kinesisBatch(recordFn)({ Records: records } as never, context)
          } else if (spec.kind === 'testing-middy') {
            const chain = middy(async () => work(`${id} handler`), { timeoutEarlyInMillis: 0 }).use(deadline())
            call = invokeWithTimeout(chain, {}, { context })
          } else if (spec.kind === 'testing-sqs-in-middy') {
            const chain = middy(sqsBatch(recordFn, { concurrency: spec.concurrency }), { timeoutEarlyInMillis: 0 }).use(
              remainingTimeBudget(),
            )
            call = invokeWithTimeout(chain, { Records: records } as never, { context })
          } else {
            const chain = middy(
              async () => {
                const run = await runWithinBudget(spec.turns, async (_turn, item) => recordFn(undefined, item), {
                  concurrency: spec.concurrency,
                })
                if (!run.complete) problems.push(`${id}: run not complete`)
              },
              { timeoutEarlyInMillis: 0 },
            ).use(remainingTimeBudget())
            call = invokeWithTimeout(chain, {}, { context })
          }
          pending.push(call)
          // The call has returned its promise: its deadline must not be ours now.
          const inCaller = currentDeadline()?.requestId
          if (inCaller === id) problems.push(`caller holds ${id}'s deadline after the call returned`)
          if (inCaller !== undefined && inCaller !== leakedId) problems.push(`caller holds ${inCaller}'s deadline`)
          await turns(spec.turns[0]?.[0] ?? 0)
        }
        const outcomes = await Promise.allSettled(pending)
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') problems.push(`an invocation failed: ${String(outcome.reason)}`)
          else if (typeof outcome.value === 'object' && outcome.value !== null && 'status' in outcome.value) {
            if (outcome.value.status !== 'succeeded') problems.push(`an invocation ended ${String(outcome.value.status)}`)
          }
        }
        expect(problems).toEqual([])
      }),
      { numRuns: 150 },
    )
    // The runs covered every entry point, and the documented leak did happen (not a vacuous pass).
    expect(seen.kinds.size).toBe(5)
    expect(seen.leaked).toBeGreaterThan(0)
  })
})
