export type { ColdStart, InitType } from './cold-start.js'
export { timingLogger, timingLogger as default } from './middleware.js'
export {
  DEFAULT_NEAR_MISS_THRESHOLD,
  type EmfOptions,
  type TimingLogEntry,
  type TimingLoggerOptions,
  type TimingLoggerSink,
} from './options.js'
export type { OutboundCallSummary, OutboundSummary } from './outbound.js'
export type { PhaseTiming, TimingSource } from './phases.js'
export type { Outcome, TimingRecord } from './record.js'
