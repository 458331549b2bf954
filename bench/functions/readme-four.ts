// The README's handler: all four, composed as the README composes them (graceful's plugin in
// middy(), the timing logger first). bench/init-duration.mjs bundles it as a user would deploy it.
import middy from '@middy/core'
import type { DeadlineContext } from '@middy-deadline/deadline'
import gracefulTimeout from '@middy-deadline/graceful-timeout'
import outboundFetchTimeout, { type OutboundFetchContext } from '@middy-deadline/outbound-fetch-timeout'
import remainingTimeBudget, { runWithinBudget } from '@middy-deadline/remaining-time-budget'
import timingLogger from '@middy-deadline/timing-logger'

const graceful = gracefulTimeout({ reserveMs: 1000, onTimeout: async () => {} })

async function lambdaHandler(event: { ids?: string[] }, context: DeadlineContext & OutboundFetchContext) {
  const run = await runWithinBudget(event.ids ?? [], async (id: string, { signal }) => {
    const response = await context.fetch(`http://127.0.0.1:9/items/${id}`, { signal })
    return response.json()
  })
  return { done: run.outcomes.filter((outcome) => outcome.status === 'done').length, left: run.rest }
}

export const handler = middy(lambdaHandler, graceful.plugin)
  .use(timingLogger())
  .use(graceful)
  .use(outboundFetchTimeout({ perRequestMs: 2000 }))
  .use(remainingTimeBudget())
