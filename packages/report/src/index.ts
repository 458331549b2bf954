export { type Classified, classify, type Fact } from './classify.js'
export { type LogEvent, Unwrapper } from './envelope.js'
export { linesOf, MAX_LINE_CHARS } from './lines.js'
export { defaults, PACKAGE, ReportOptionError, type ReportOptions } from './options.js'
export { renderHtml } from './render-html.js'
export { renderText } from './render-text.js'
export { buildReport, ReportBuilder, reportFromEvents, UNKNOWN_FUNCTION } from './report.js'
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
export { SCHEMA } from './schema.js'
export type { DurationSeries, SeriesBucket, SeriesPoint } from './series.js'
export { type Distribution, QuantileSketch, RELATIVE_ACCURACY } from './sketch.js'
