// The public API: what semver covers. Re-exported from ./internal.js, which holds the
// implementation (one module at import, one copy of each class: see that file).
export {
  currentDeadline,
  Deadline,
  type DeadlineContext,
  type DeadlineInit,
  type DeadlineLimit,
  type DeadlineMark,
  DeadlineOptionError,
  type DeadlineOptions,
  type DeadlinePluginHooks,
  type DeadlineScope,
  type DeadlineStatus,
  DeadlineTimeoutError,
  deadline,
  deadline as default,
  deadlinePlugin,
  InvocationEndedError,
  type LambdaContextLike,
} from './internal.js'
