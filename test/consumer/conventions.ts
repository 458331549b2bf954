// Middy's conventions, as a user's tsc sees them with Middy 7's types (tsconfig.json) and Middy 6's
// (tsconfig.middy6.json): each middleware is its package's default export, and our plugin options
// are accepted by `middy()` as they are or spread among the user's own.
import middy from '@middy/core'
import deadline, { deadlinePlugin, deadline as namedDeadline } from '@middy-deadline/deadline'
import gracefulTimeout, { gracefulTimeout as namedGracefulTimeout } from '@middy-deadline/graceful-timeout'
import outboundFetchTimeout, { outboundFetchTimeout as namedOutboundFetchTimeout } from '@middy-deadline/outbound-fetch-timeout'
import remainingTimeBudget, { remainingTimeBudget as namedRemainingTimeBudget } from '@middy-deadline/remaining-time-budget'
import timingLogger, { timingLogger as namedTimingLogger } from '@middy-deadline/timing-logger'

export const sameFunctions: boolean[] = [
  deadline === namedDeadline,
  gracefulTimeout === namedGracefulTimeout,
  outboundFetchTimeout === namedOutboundFetchTimeout,
  remainingTimeBudget === namedRemainingTimeBudget,
  timingLogger === namedTimingLogger,
]

const graceful = gracefulTimeout({ reserveMs: 500 })
const work = async (event: { id: string }) => event.id

export const withGracefulPlugin = middy(work, graceful.plugin).use(timingLogger()).use(graceful)
export const withSpreadPlugin = middy(work, { ...deadlinePlugin(), timeoutEarlyInMillis: 0 }).use(deadline())
export const withBoth = middy(work, { ...graceful.plugin, internal: {} })
  .use(outboundFetchTimeout())
  .use(remainingTimeBudget())
  .use(graceful)
