export type {
  BatchHandler,
  BatchHandlerOptions,
  BatchItemFailure,
  BatchOptions,
  PartialBatchResponse,
} from './batch.js'
export { BatchInputError, BatchReportError, ContinuationError, ItemAbandonedError } from './errors.js'
export { createDurationEstimator, type DurationEstimator, type DurationEstimatorOptions } from './estimator.js'
export { type RemainingTimeBudgetOptions, remainingTimeBudget, remainingTimeBudget as default } from './middleware.js'
export type { BudgetOptions } from './options.js'
export {
  type BudgetRun,
  type BudgetRunner,
  budgetRunner,
  type ItemContext,
  type ItemFn,
  type ItemOutcome,
  type NotStartedReason,
  type RunCallOptions,
  runWithinBudget,
} from './runner.js'
export { type SqsBatchOptions, sqsBatch } from './sqs.js'
export { dynamodbStreamBatch, kinesisBatch } from './streams.js'
