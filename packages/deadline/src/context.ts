import type { Context } from 'aws-lambda'
import type { Deadline } from './deadline.js'

/**
 * The Lambda context as the handler sees it once any of our middlewares ran:
 * `middy<Event, Result, Error, DeadlineContext>(handler)`.
 */
export type DeadlineContext<TContext extends object = Context> = TContext & { readonly deadline: Deadline }
