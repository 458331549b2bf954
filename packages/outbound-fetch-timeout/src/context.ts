import type { DeadlineContext } from '@middy-deadline/deadline/internal'
import type { Context } from 'aws-lambda'
import type { DeadlineFetch } from './fetch.js'

/**
 * The Lambda context as the handler sees it once `outboundFetchTimeout()` ran:
 * `middy<Event, Result, Error, OutboundFetchContext>(handler)`. `context.fetch` is bound to this
 * invocation's deadline, wherever it is called from.
 */
export type OutboundFetchContext<TContext extends object = Context> = DeadlineContext<TContext> & { readonly fetch: DeadlineFetch }
