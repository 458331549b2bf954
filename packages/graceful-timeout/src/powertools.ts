import { checkOptions, DeadlineOptionError, list, withMethods } from '@middy-deadline/deadline/internal'
import type { TimeoutHook } from './options.js'

// The name written out, not imported: a module this entry point shared with the main one would be
// split into a chunk, one more file every user of the main entry loads (bench/import-profile.mjs,
// docs/performance.md, "Speed tricks").
const PACKAGE = '@middy-deadline/graceful-timeout'

/** What we need of Powertools Logger: its log buffer (Logger 2.x `logBufferOptions`). */
export interface FlushableLogger {
  flushBuffer(): void
}

/** What we need of Powertools Metrics. */
export interface PublishableMetrics {
  publishStoredMetrics(): void
}

export interface FlushPowertoolsOptions {
  logger?: FlushableLogger | FlushableLogger[]
  metrics?: PublishableMetrics | PublishableMetrics[]
}

/**
 * An `onTimeout` hook that writes out what Powertools holds back until its own `after`/`onError`:
 * the Logger's buffered logs and the Metrics not yet published. Lambda never runs those when it
 * kills a timed-out invocation; at our cutoff there is still time.
 *
 * Typed by shape, not imported: this file loads nothing from Powertools.
 */
// A handful of loggers and metrics at most; a longer list is a mistake.
const MAX_FLUSHED = 16

const OPTIONS = {
  logger: list(withMethods<FlushableLogger>('flushBuffer'), MAX_FLUSHED),
  metrics: list(withMethods<PublishableMetrics>('publishStoredMetrics'), MAX_FLUSHED),
}

export function flushPowertools(options: FlushPowertoolsOptions): TimeoutHook {
  const { logger: loggers, metrics } = checkOptions(PACKAGE, OPTIONS, options) as {
    logger: FlushableLogger[]
    metrics: PublishableMetrics[]
  }
  if (loggers.length + metrics.length === 0)
    throw new DeadlineOptionError(PACKAGE, 'logger', 'or `metrics` must be given: there is nothing to flush')

  // Logs first: a metrics failure is then already explained in them.
  return function flushPowertools() {
    const errors: unknown[] = []
    for (const logger of loggers) attempt(() => logger.flushBuffer(), errors)
    for (const metric of metrics) attempt(() => metric.publishStoredMetrics(), errors)
    if (errors.length > 0) throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'flushing Powertools failed')
  }
}

function attempt(flush: () => void, errors: unknown[]): void {
  try {
    flush()
  } catch (error) {
    errors.push(error)
  }
}
