export { type BundleOptions, bundleFunction, repoRoot } from './bundle.js'
export {
  type FunctionOptions,
  type InvokeOptions,
  type InvokeResult,
  type LambdaFunction,
  type LogEntry,
  startFunction,
} from './function.js'
export { jsonRecords, type LogLine, linesWith, parseLogLine } from './logs.js'
export type { LambdaError } from './runtime-api.js'
