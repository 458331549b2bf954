import {
  type CheckedOptions,
  callGuarded,
  checkArgument,
  currentDeadline,
  Deadline,
  DeadlineOptionError,
  deadlineOf,
  fn,
  isInstance,
  isolated,
  MAX_ANSWER_MARGIN_MS,
  ms,
  optional,
  readSafely,
  releaseDeadline,
  requestIdOf,
  required,
  warnOnFailure,
} from '@middy-deadline/deadline/internal'
import { BatchReportError, notABatch } from './errors.js'
import { BUDGET_OPTIONS, type BudgetOptions, PACKAGE } from './options.js'
import { type BudgetRun, type ItemFn, type ItemOutcome, type RunCallOptions, runnerOf } from './runner.js'

/** Options shared by the partial-batch handlers. */
export interface BatchOptions extends BudgetOptions {
  /**
   * Milliseconds kept before Lambda's hard deadline to stop, let started records settle and
   * answer. Asked of the shared deadline (the largest reserve anyone asked for wins). Left unset,
   * a deadline set up by `remainingTimeBudget()` keeps the reserve it has, and a deadline this
   * handler creates itself (no middleware) gets `DEFAULT_BATCH_RESERVE_MS`.
   */
  reserveMs: number | undefined
}

export const DEFAULT_BATCH_RESERVE_MS = 500
const RETRY_WHOLE_BATCH = 'failing the invocation so that Lambda retries the whole batch instead of deleting it unprocessed'

/** The options every batch handler takes; `sqsBatch` adds `fifo`. */
export const BATCH_OPTIONS = {
  ...BUDGET_OPTIONS,
  reserveMs: optional(ms(undefined)),
  onRun: fn<NonNullable<BatchHandlerOptions<unknown>['onRun']>>(),
}
const recordFnRule = required(fn())
// An observer of the run must not change what Lambda is told.
const onRunFailed = warnOnFailure('batch:on-run', PACKAGE, 'onRun failed; the batch is answered as it ran')

export interface BatchItemFailure {
  itemIdentifier: string
}
export interface PartialBatchResponse {
  batchItemFailures: BatchItemFailure[]
}

/** What differs between event sources: how records are ordered and how a failure is named. */
export interface BatchSource<TRecord> {
  readonly name: string
  orderKey: RunCallOptions<TRecord, unknown>['orderKey']
  /** The identifiers Lambda must retry, given every record's outcome. */
  failures(outcomes: readonly ItemOutcome<TRecord, unknown>[]): (string | undefined)[]
}

export type BatchHandler<TEvent> = (event: TEvent, context: object, options?: { signal?: AbortSignal }) => Promise<PartialBatchResponse>

/** Extra reading for tests and logs: the full run behind the last response is not kept anywhere. */
export interface BatchHandlerOptions<TRecord> extends BatchOptions {
  /** Sees every run (for logging or metrics) before the response is built. */
  onRun: ((run: BudgetRun<TRecord, unknown>) => void) | undefined
}

/**
 * Builds a Lambda handler that runs `recordFn` over `event.Records` within the invocation's time
 * budget and answers with a partial batch response naming every record Lambda must retry.
 * Takes options already checked (by the handler's factory, once); the estimator inside is per
 * process (workload knowledge).
 */
export function batchHandler<TRecord, TEvent extends { Records?: TRecord[] }>(
  source: BatchSource<TRecord>,
  recordFn: ItemFn<TRecord, unknown>,
  config: CheckedOptions<typeof BATCH_OPTIONS>,
): BatchHandler<TEvent> {
  checkArgument(PACKAGE, 'recordFn', recordFnRule, recordFn)
  const { reserveMs, onRun } = config
  if (reserveMs !== undefined && config.abandonAfterMs >= reserveMs)
    throw new DeadlineOptionError(
      PACKAGE,
      'abandonAfterMs',
      `must be less than reserveMs (${reserveMs}), got ${config.abandonAfterMs}: records still running at the cutoff would be waited for past the hard deadline`,
    )
  // The reserve must hold the wait for unsettled records and the answer after it, whoever else
  // sets the reserve (remainingTimeBudget({ reserveMs: 0 }) would leave no time to answer).
  const floorMs = config.abandonAfterMs + MAX_ANSWER_MARGIN_MS
  const reserves = { shared: Math.max(reserveMs ?? 0, floorMs), own: Math.max(reserveMs ?? DEFAULT_BATCH_RESERVE_MS, floorMs) }
  const runner = runnerOf(config)
  const owner = {}

  // Middy's own signal (the handler's third argument) is left alone: the run stops at the deadline's
  // cutoff, which graceful.plugin makes Middy's race wait for. Middy 6 shares that one signal between
  // concurrent invocations (Lambda Managed Instances): one invocation's early timeout would stop
  // every other one's batch. (Declaring the parameter would also make Lambda's Node 22+ runtimes
  // take the handler for a callback handler.)
  return async function partialBatchHandler(event, context) {
    const records = event?.Records
    // No partial answer can name records we cannot list, and an empty one would tell Lambda to
    // delete every message unprocessed: fail the invocation so that the whole batch is retried.
    if (!Array.isArray(records)) throw notABatch(`the ${source.name} event's Records`, records, RETRY_WHOLE_BATCH)
    return withInvocationDeadline(context, owner, reserves, async (deadline) => {
      const run = await runner(records, recordFn, { deadline, orderKey: source.orderKey })
      if (onRun !== undefined) callGuarded(onRun, undefined, [run], onRunFailed)
      return { batchItemFailures: toFailures(source, run.outcomes) }
    })
  }
}

function toFailures<TRecord>(source: BatchSource<TRecord>, outcomes: readonly ItemOutcome<TRecord, unknown>[]): BatchItemFailure[] {
  const ids = source.failures(outcomes)
  if (ids.some((id) => typeof id !== 'string' || id === '')) {
    // Lambda reads an empty or missing itemIdentifier as "the whole batch failed" anyway; saying
    // so with an error is clearer, and it can never drop the record we cannot name.
    throw new BatchReportError(
      `${PACKAGE}: a ${source.name} record that must be retried has no identifier; failing the whole batch so that Lambda retries it`,
    )
  }
  return (ids as string[]).map((itemIdentifier) => ({ itemIdentifier }))
}

/**
 * Uses the invocation's shared deadline when a middleware of ours (or the plugin) created one;
 * otherwise creates it for the duration of the handler, so the helper also works without Middy.
 */
async function withInvocationDeadline<T>(
  context: object,
  owner: object,
  reserves: { shared: number; own: number },
  body: (deadline: Deadline) => Promise<T>,
): Promise<T> {
  const shared = sharedDeadline(context)
  if (shared !== undefined) {
    shared.reserve(reserves.shared)
    return body(shared)
  }
  // Called without Middy, this call is the invocation: it runs in an async scope of its own, so
  // that its deadline never stays in the caller's context, nor reaches a batch started from there.
  return isolated(async () => {
    const holder = { context }
    const deadline = deadlineOf(holder, owner)
    deadline.reserve(reserves.own)
    try {
      return await body(deadline)
    } finally {
      releaseDeadline(holder, owner)
    }
  })
}

/** The deadline of this very invocation, if one is running: never another request's. */
function sharedDeadline(context: object): Deadline | undefined {
  // Read with care: the context is the caller's, and may be a proxy that throws.
  const onContext = readSafely(context, 'deadline')
  if (isInstance(onContext, Deadline)) return (onContext as Deadline).ended ? undefined : (onContext as Deadline)
  // A deadline in the async context may be another invocation's: one left in the caller's context
  // by a Middy chain called directly (docs/deadline.md, Limits). Only the same request id counts.
  const current = currentDeadline()
  return current !== undefined && current.requestId !== '' && current.requestId === requestIdOf(context) ? current : undefined
}
