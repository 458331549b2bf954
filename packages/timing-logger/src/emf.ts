import type { EmfOptions } from './options.js'
import type { TimingRecord } from './record.js'

/**
 * A CloudWatch Embedded Metric Format document for one invocation: `_aws.Timestamp` (epoch ms),
 * one metric directive with the namespace, one dimension set and the metric definitions, and
 * every referenced member (dimension values as strings, metric values as numbers) at the root.
 * `requestId` rides along as a plain property so a metric point can be traced to its record.
 */
export function emfDocument(record: TimingRecord, emf: EmfOptions, timestamp: number): Record<string, unknown> {
  const dimensions = emf.dimensions ?? { FunctionName: record.functionName || 'unknown' }
  const metrics: Record<string, { unit: string; value: number }> = {
    Duration: { unit: 'Milliseconds', value: record.durationMs },
    NearMiss: { unit: 'Count', value: record.nearMiss ? 1 : 0 },
    TimedOut: { unit: 'Count', value: record.outcome === 'timeout' ? 1 : 0 },
    ColdStart: { unit: 'Count', value: record.coldStart ? 1 : 0 },
  }
  // Without a known budget there is no remaining time to report; a made-up number would skew it.
  if (record.remainingMs !== null) metrics.Remaining = { unit: 'Milliseconds', value: record.remainingMs }
  if (record.timeoutUsedShare !== null) metrics.TimeoutUsed = { unit: 'Percent', value: Math.round(record.timeoutUsedShare * 1000) / 10 }

  const document: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: emf.namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.entries(metrics).map(([name, { unit }]) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...dimensions,
    requestId: record.requestId,
  }
  for (const [name, { value }] of Object.entries(metrics)) document[name] = value
  return document
}
