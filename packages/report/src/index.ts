export type { LogEvent } from './envelope.js'
export { ReportOptionError, type ReportOptions } from './options.js'
export { renderHtml } from './render-html.js'
export { renderText } from './render-text.js'
export { buildReport, ReportBuilder, reportFromEvents } from './report.js'
export type {
  Confidence,
  FunctionReport,
  InputSummary,
  Level,
  PhaseReport,
  Recommendation,
  RecommendationKind,
  Report,
  TargetReport,
} from './schema.js'
export type { DurationSeries, SeriesBucket, SeriesPoint } from './series.js'
export type { Distribution } from './sketch.js'
