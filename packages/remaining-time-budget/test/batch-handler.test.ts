import middy from '@middy/core'
import { type BudgetRun, remainingTimeBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { sqsRecord } from './events.js'
import { quietStderr } from './quiet-stderr.js'

// What every partial batch handler does whatever its event source (batch.ts), through sqsBatch.
// Nothing here writes to stderr: a handler that has nothing to say says nothing.

quietStderr()

const event = { Records: [sqsRecord('m1', 'a'), sqsRecord('m2', 'b')] }

describe('a batch handler', () => {
  it('without onRun answers from the run alone', async () => {
    const handler = middy(sqsBatch(async (record) => record.body)).use(remainingTimeBudget())
    expect(await handler(event, createLambdaContext())).toEqual({ batchItemFailures: [] })
  })

  it('hands onRun each run whole, before the response is built', async () => {
    const runs: BudgetRun<unknown, unknown>[] = []
    const handler = middy(
      sqsBatch(
        async (record) => {
          if (record.body === 'b') throw new Error('cannot parse b')
          return record.body.toUpperCase()
        },
        { onRun: (run) => runs.push(run) },
      ),
    ).use(remainingTimeBudget())
    expect(await handler(event, createLambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] })
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ complete: false, rest: [], stoppedBy: undefined })
    expect(runs[0]?.outcomes.map((o) => (o.status === 'done' ? o.value : o.status))).toEqual(['A', 'failed'])
  })

  it('names `recordFn` when what it was given is not a function', () => {
    expect(() => sqsBatch('handle' as never)).toThrow('@middy-deadline/remaining-time-budget: option `recordFn` must be a function')
  })
})
