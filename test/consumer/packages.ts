// Each package as a user imports it from the registry: names and subpaths through the exports map.
import { SQSClient } from '@aws-sdk/client-sqs'
import middy from '@middy/core'
import { type DeadlineContext, deadlinePlugin } from '@middy-deadline/deadline'
import { type GracefulTimeoutError, gracefulTimeout, type TimeoutWatchdog } from '@middy-deadline/graceful-timeout'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import { type OutboundFetchContext, OutboundTimeoutError, outboundFetchTimeout, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { awsSdkDeadlinePlugin } from '@middy-deadline/outbound-fetch-timeout/aws-sdk'
import { type BudgetRun, remainingTimeBudget, runWithinBudget, sqsBatch } from '@middy-deadline/remaining-time-budget'
import { type TimingRecord, timingLogger } from '@middy-deadline/timing-logger'
import type { SQSEvent } from 'aws-lambda'

type AppContext = DeadlineContext & OutboundFetchContext

export const handler = middy<{ ids: string[] }, { done: number; left: number }, Error, AppContext>(
  async (event: { ids: string[] }, context: AppContext) => {
    const run: BudgetRun<string, unknown> = await runWithinBudget(event.ids, async (id, { signal }) => {
      const response = await context.fetch(`https://example.invalid/items/${id}`, { signal })
      return response.status
    })
    await withDeadline((signal) => Promise.resolve(signal.aborted), { label: 'db' })
    return { done: run.outcomes.filter((o) => o.status === 'done').length, left: run.rest.length }
  },
  { ...deadlinePlugin() },
)
  .use(timingLogger({ nearMissThreshold: 0.8, fields: (_request, record: TimingRecord) => ({ service: record.requestId }) }))
  .use(gracefulTimeout({ reserveMs: 500, watchdog }))
  .use(outboundFetchTimeout({ perRequestMs: 2000 }))
  .use(remainingTimeBudget())

export const sqsHandler = middy(sqsBatch(async (record) => record.messageId)).use(remainingTimeBudget())
export const asLambdaHandler: (event: SQSEvent, context: never) => Promise<unknown> = sqsBatch(async () => {})

const client = new SQSClient({ region: 'us-east-1' })
client.middlewareStack.use(awsSdkDeadlinePlugin(client.config, { perRequestMs: 1000 }))

export const isOurs = (error: unknown): error is OutboundTimeoutError | GracefulTimeoutError =>
  error instanceof OutboundTimeoutError || (error as Error).name === 'TimeoutError'

export const processWatchdog: TimeoutWatchdog = watchdog

// @ts-expect-error the watchdog comes from its subpath, no longer as `watchdog: true`
gracefulTimeout({ watchdog: true })

// @ts-expect-error perRequestMs is a number
outboundFetchTimeout({ perRequestMs: '2s' })
