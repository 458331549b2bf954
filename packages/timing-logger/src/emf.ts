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
  const share = record.timeoutUsedShare
  // Without a known budget there is no remaining time to report; a made-up number would skew it.
  const metrics = (
    [
      ['Duration', 'Milliseconds', record.durationMs],
      ['NearMiss', 'Count', +record.nearMiss],
      ['TimedOut', 'Count', +(record.outcome === 'timeout')],
      ['ColdStart', 'Count', +record.coldStart],
      ['Remaining', 'Milliseconds', record.remainingMs],
      ['TimeoutUsed', 'Percent', share === null ? null : Math.round(share * 1000) / 10],
    ] as const
  ).filter((metric) => metric[2] !== null)

  const document: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        { Namespace: emf.namespace, Dimensions: [Object.keys(dimensions)], Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })) },
      ],
    },
    ...dimensions,
    requestId: record.requestId,
  }
  for (const [name, , value] of metrics) document[name] = value
  return document
}
