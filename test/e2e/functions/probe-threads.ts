import { setTimeout as sleep } from 'node:timers/promises'
import { threadId } from 'node:worker_threads'
import middy from '@middy/core'
import { deadline } from '@middy-deadline/deadline'
import { timingLogger } from '@middy-deadline/timing-logger'
import type { Context } from 'aws-lambda'

/** Says which runtime worker thread served it, with a timing record (and its cold start) per invocation. */
async function app(event: { workMs?: number }, context: Context) {
  await sleep(event.workMs ?? 0)
  return { requestId: context.awsRequestId, threadId }
}

export const handler = middy(app)
  .use(timingLogger())
  .use(deadline({ reserveMs: 200 }))
