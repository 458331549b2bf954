import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import middy from '@middy/core'
import type { DeadlineContext, DeadlineLimit, DeadlineTimeoutError } from '@middy-deadline/deadline'
import {
  type GracefulTimeoutError,
  gracefulTimeout,
  type TimeoutHook,
  type TimeoutRecord,
  type TimeoutWatchdog,
} from '@middy-deadline/graceful-timeout'
import { flushPowertools } from '@middy-deadline/graceful-timeout/powertools'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda'
import { describe, expectTypeOf, it } from 'vitest'

describe('types', () => {
  it('fits a typed Middy chain, with its plugin options', () => {
    const graceful = gracefulTimeout<APIGatewayProxyEvent, APIGatewayProxyResult>({
      timeoutResponse: (request) => {
        expectTypeOf(request.event).toEqualTypeOf<APIGatewayProxyEvent>()
        return { statusCode: 504, body: 'timeout' }
      },
      onTimeout: (request, { record, signal }) => {
        expectTypeOf(request.event).toEqualTypeOf<APIGatewayProxyEvent>()
        expectTypeOf(record).toEqualTypeOf<TimeoutRecord>()
        expectTypeOf(signal).toEqualTypeOf<AbortSignal>()
      },
    })
    const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, DeadlineContext>(
      async (_event: APIGatewayProxyEvent, context: DeadlineContext) => ({ statusCode: 200, body: String(context.deadline.remaining()) }),
      graceful.plugin,
    ).use(graceful)
    expectTypeOf(handler).toBeFunction()
  })

  it('rejects a timeoutResponse of the wrong shape', () => {
    gracefulTimeout<APIGatewayProxyEvent, APIGatewayProxyResult>({
      // @ts-expect-error a string is not an APIGatewayProxyResult
      timeoutResponse: () => 'timeout',
    })
  })

  it('takes real Powertools instances, and gives a hook', () => {
    const hook = flushPowertools({ logger: new Logger(), metrics: [new Metrics()] })
    expectTypeOf(hook).toEqualTypeOf<TimeoutHook>()
    gracefulTimeout({ onTimeout: [hook], logger: new Logger() })
  })

  it('takes the watchdog of its subpath, and no longer a boolean', () => {
    expectTypeOf(watchdog).toEqualTypeOf<TimeoutWatchdog>()
    gracefulTimeout({ reserveMs: 1000, watchdog })
    // @ts-expect-error the watchdog is imported from '@middy-deadline/graceful-timeout/watchdog', not switched on
    gracefulTimeout({ watchdog: true })
  })

  it('exposes the error users match on', () => {
    expectTypeOf<GracefulTimeoutError['name']>().toEqualTypeOf<'TimeoutError'>()
    expectTypeOf<GracefulTimeoutError['statusCode']>().toEqualTypeOf<504>()
    // One of the deadline's timeout errors: `instanceof DeadlineTimeoutError` matches it.
    expectTypeOf<GracefulTimeoutError>().toMatchTypeOf<DeadlineTimeoutError>()
    expectTypeOf<GracefulTimeoutError['limit']>().toEqualTypeOf<DeadlineLimit>()
  })
})
