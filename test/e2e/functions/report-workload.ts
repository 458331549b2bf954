import { setTimeout as sleep } from 'node:timers/promises'
import middy from '@middy/core'
import { deadlinePlugin } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import { type OutboundFetchContext, outboundFetchTimeout } from '@middy-deadline/outbound-fetch-timeout'
import { timingLogger } from '@middy-deadline/timing-logger'
import type { Context } from 'aws-lambda'

/**
 * The mixed workload that the report is checked against (test/e2e/report.test.ts): one event per
 * kind of invocation a real function has on a bad day. `orders` has every middleware of ours;
 * `reports` has only the timing logger, so its hard kill is seen only in Lambda's own lines.
 */
export type WorkloadEvent =
  | { kind: 'work'; ms: number }
  | { kind: 'fetch'; url: string }
  | { kind: 'spin'; ms: number }
  | { kind: 'fail' }
  | { kind: 'batch'; items: number; perItemMs: number }

type Ctx = Context & OutboundFetchContext & { deadline?: { signal: AbortSignal } }

async function workload(event: WorkloadEvent, context: Ctx): Promise<{ statusCode: number }> {
  const signal = context.deadline?.signal
  switch (event.kind) {
    case 'work':
      await sleep(event.ms, undefined, { signal })
      return { statusCode: 200 }
    case 'fetch':
      try {
        await (await context.fetch(event.url)).text()
        return { statusCode: 200 }
      } catch (error) {
        // The per-request limit cut the call: answer degraded rather than fail.
        if ((error as Error).name === 'TimeoutError') return { statusCode: 203 }
        throw error
      }
    case 'spin': {
      const end = performance.now() + event.ms
      while (performance.now() < end) {
        // the event loop is blocked: no timer can fire
      }
      return { statusCode: 200 }
    }
    case 'fail':
      throw new Error('the workload failed on purpose')
    case 'batch':
      for (let i = 0; i < event.items; i++) await sleep(event.perItemMs, undefined, { signal })
      return { statusCode: 200 }
  }
}

const graceful = gracefulTimeout<WorkloadEvent, { statusCode: number }>({
  reserveMs: 200,
  timeoutResponse: () => ({ statusCode: 504 }),
  watchdog,
})

// The batch size rides on the timing record (the report sizes batches from it).
const batchSize = (request: { event: unknown }) => {
  const event = request.event as Partial<{ kind: string; items: number }>
  return event.kind === 'batch' ? { batchSize: event.items } : {}
}

export const orders = middy<WorkloadEvent, { statusCode: number }>(workload as never, graceful.plugin)
  .use(timingLogger({ fields: batchSize }))
  .use(graceful)
  .use(outboundFetchTimeout({ perRequestMs: 500 }))

export const reports = middy<WorkloadEvent, { statusCode: number }>(workload as never, { ...deadlinePlugin() }).use(timingLogger())
