export { GracefulTimeoutError } from './errors.js'
export { type GracefulTimeoutMiddleware, gracefulTimeout, gracefulTimeout as default } from './middleware.js'
export type {
  GracefulTimeoutOptions,
  TimeoutHook,
  TimeoutHookInfo,
  TimeoutLogger,
  TimeoutWatchdog,
  WatchedInvocation,
} from './options.js'
export type { GracefulTimeoutPlugin } from './plugin.js'
export type { PendingCallRecord, TimeoutRecord, TimeoutTrigger } from './record.js'
