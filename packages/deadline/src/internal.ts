/**
 * `@middy-deadline/deadline/internal`: what the packages of this project share among themselves.
 * NOT COVERED BY SEMVER: any name here may change or go in any release. Users import
 * `@middy-deadline/deadline`, whose names are the public API (docs/deadline.md).
 *
 * It exports the helpers only our packages use (claiming and releasing the deadline, option
 * checks, value descriptions, warnings, timers, the outbound-call slot) and every public name: it
 * holds the whole implementation and index.ts re-exports the public part, so each class exists
 * once (`instanceof` holds) and neither entry needs a shared chunk. Our packages import only this
 * entry, so a process loads one module of this package (docs/performance.md). A new helper that
 * two packages share is exported here, never from index.ts (docs/contributing.md).
 */
export type { DeadlineContext } from './context.js'
export { currentDeadline, isolated } from './current.js'
export {
  answerMarginMs,
  Deadline,
  type DeadlineInit,
  type DeadlineMark,
  type DeadlineScope,
  type DeadlineStatus,
  type LambdaContextLike,
  MAX_ANSWER_MARGIN_MS,
  reachCutoff,
  requestIdOf,
  timelineOf,
} from './deadline.js'
export { causeChain, type DeadlineLimit, DeadlineOptionError, DeadlineTimeoutError, InvocationEndedError } from './errors.js'
export { clip, describeError, describeValue, redactUrls } from './internal/describe.js'
export { callGuarded, isInstance, onRejection, readSafely } from './internal/guard.js'
export { boundedObject, jsonLine, MAX_LINE_BYTES } from './internal/json-line.js'
export { namedMiddleware } from './internal/named.js'
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
export { type DeadlineSlot, deadlineSlot } from './internal/slot.js'
export { noTimeToStart, operationTimedOut, raceSignal, scopeWithoutDeadline } from './internal/timeouts.js'
export { type DeadlineOptions, deadline, reservingMiddleware } from './middleware.js'
export { OUTBOUND_CALLS_SLOT, type OutboundCallEntry, type OutboundCallsSnapshot, outboundCallsSnapshot } from './outbound-calls.js'
export { type DeadlinePluginHooks, deadlinePlugin } from './plugin.js'
export { deadlineOf, endDeadline, existingDeadlineOf, releaseDeadline } from './request.js'
export { type DeadlinePhase, type DeadlineProgress, Timeline } from './timeline.js'
export { MAX_TIMER_MS, scheduleAfter, timerDelay } from './timer.js'
export { warnOnce, warnOnFailure } from './warn-once.js'
