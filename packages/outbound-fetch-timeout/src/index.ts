export {
  type OutboundCall,
  type OutboundCallCounts,
  type OutboundCalls,
  type OutboundKind,
  outboundCallsOf,
  RECENT_CALLS,
} from './calls.js'
export type { OutboundFetchContext } from './context.js'
export { type OutboundLimit, type OutboundOutcome, type OutboundTarget, OutboundTimeoutError } from './errors.js'
export { type DeadlineFetch, deadlineFetch } from './fetch.js'
export { isGlobalFetchPatched, restoreGlobalFetch } from './global-fetch.js'
export { outboundFetchTimeout, outboundFetchTimeout as default } from './middleware.js'
export type { FetchLike, OutboundFetchTimeoutOptions } from './options.js'
export { type DeadlineWork, type WithDeadlineOptions, withDeadline } from './with-deadline.js'
