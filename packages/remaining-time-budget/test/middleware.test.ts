import middy from '@middy/core'
import { type DeadlineContext, deadlinePlugin } from '@middy-deadline/deadline'
import { timelineOf } from '@middy-deadline/deadline/internal'
import { remainingTimeBudget } from '@middy-deadline/remaining-time-budget'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'

describe('remainingTimeBudget', () => {
  it("names its phases for Middy's plugin hooks: remainingTimeBudgetBefore, then remainingTimeBudgetAfter", async () => {
    const handler = middy(async () => 'done', { ...deadlinePlugin() }).use(remainingTimeBudget())
    const context = createLambdaContext<DeadlineContext>()
    await handler({}, context)
    expect(timelineOf((context as DeadlineContext).deadline).phases.map((p) => p.name)).toEqual([
      'remainingTimeBudgetBefore',
      'handler',
      'remainingTimeBudgetAfter',
    ])
  })
})
