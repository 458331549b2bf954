export type { DeadlineContext } from './context.js'
export { currentDeadline } from './current.js'
export {
  answerMarginMs,
  Deadline,
  type DeadlineInit,
  type DeadlineMark,
  type DeadlinePhase,
  type DeadlineProgress,
  type DeadlineScope,
  type DeadlineStatus,
  type LambdaContextLike,
  MAX_ANSWER_MARGIN_MS,
  MAX_RESERVE_SHARE,
} from './deadline.js'
export { causeChain, type DeadlineLimit, DeadlineOptionError, DeadlineTimeoutError, InvocationEndedError } from './errors.js'
// Helpers for our own packages (issue 14 moves them to an `./internal` entry point).
export { clip, describeError, describeValue, redactUrls } from './internal/describe.js'
export { callGuarded, isInstance, onRejection, readSafely } from './internal/guard.js'
export { boundedObject, jsonLine, MAX_LINE_BYTES } from './internal/json-line.js'
export {
  boolean,
  type CheckedOptions,
  checkArgument,
  checkOptions,
  fn,
  instance,
  integer,
  list,
  MAX_LAMBDA_MS,
  methodOf,
  ms,
  nested,
  number,
  type OptionSpec,
  object,
  oneOf,
  optional,
  type Rule,
  refuse,
  refuseWith,
  required,
  text,
  within,
  withMethods,
} from './internal/options.js'
export { RECORD_LIMITS, recordMarks, recordName } from './internal/record-limits.js'
export { type DeadlineOptions, deadline, deadline as default, reservingMiddleware } from './middleware.js'
export { OUTBOUND_CALLS, type OutboundCallEntry, type OutboundCallsSnapshot, outboundCallsSnapshot } from './outbound-calls.js'
export { type DeadlinePluginHooks, deadlinePlugin } from './plugin.js'
export { deadlineOf, endDeadline, existingDeadlineOf, releaseDeadline } from './request.js'
export { MAX_TIMER_MS, scheduleAfter, timerDelay } from './timer.js'
export { warnOnce, warnOnFailure } from './warn-once.js'
