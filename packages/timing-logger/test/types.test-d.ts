import { Logger } from '@aws-lambda-powertools/logger'
import middy from '@middy/core'
import { type DeadlineContext, deadlinePlugin } from '@middy-deadline/deadline'
import { type Outcome, type TimingLoggerSink, type TimingRecord, timingLogger } from '@middy-deadline/timing-logger'
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, SQSEvent } from 'aws-lambda'
import { expectTypeOf } from 'vitest'

// It fits a typed chain, with the plugin, whatever the event, result and context types.
middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Error, DeadlineContext>(
  async (event: APIGatewayProxyEventV2) => ({ statusCode: 200, body: event.rawPath }),
  { ...deadlinePlugin() },
).use(timingLogger({ serverTiming: true, emf: { namespace: 'Orders', dimensions: { service: 'orders' } } }))

// The fields hook sees the record it adds to; console is a logger.
timingLogger({
  logger: console,
  fields: (_request, record) => {
    expectTypeOf(record.outcome).toEqualTypeOf<Outcome>()
    expectTypeOf(record.durationMs).toEqualTypeOf<number>()
    expectTypeOf(record.remainingMs).toEqualTypeOf<number | null>()
    return { tenant: 'acme' }
  },
})
// The hook's request has the middleware's event type, not unknown.
timingLogger<SQSEvent>({
  fields: (request) => {
    expectTypeOf(request.event).toEqualTypeOf<SQSEvent>()
    return { batchSize: request.event.Records.length }
  },
})
expectTypeOf(console).toExtend<TimingLoggerSink>()
expectTypeOf(new Logger()).toExtend<TimingLoggerSink>()
expectTypeOf<TimingRecord['outcome']>().toEqualTypeOf<'success' | 'error' | 'early-response' | 'timeout'>()

// @ts-expect-error the threshold is a share of the timeout, not milliseconds as a string
timingLogger({ nearMissThreshold: '800' })
// @ts-expect-error an EMF output needs its namespace
timingLogger({ emf: { dimensions: { service: 'orders' } } })
