import { describe, expect, it } from 'vitest'
import { chain, invoke, memoryLogger, sleep, stdoutLines, warmUp } from './helpers.js'

// The CloudWatch units the specification allows for a metric definition.
const UNITS = new Set(
  'Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second Terabits/Second Count/Second None'.split(
    ' ',
  ),
)

/**
 * Checks a document against the Embedded Metric Format specification: `_aws` with a numeric
 * `Timestamp` (epoch ms) and `CloudWatchMetrics`, each directive with a `Namespace`, `Dimensions`
 * as an array of dimension sets (arrays of at most 30 names, each a string member at the root)
 * and `Metrics` (at most 100, `Name` a numeric member at the root, `Unit` a CloudWatch unit),
 * and no members the specification does not define in those objects. Returns the problems.
 */
function emfProblems(document: Record<string, unknown>): string[] {
  const problems: string[] = []
  const aws = document._aws as Record<string, unknown> | undefined
  if (typeof aws !== 'object' || aws === null) return ['no _aws object']
  for (const key of Object.keys(aws)) if (!['Timestamp', 'CloudWatchMetrics'].includes(key)) problems.push(`_aws.${key} is not in the spec`)
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 1e12)
    problems.push('Timestamp is not epoch ms')
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0)
    return [...problems, 'CloudWatchMetrics is not a non-empty array']
  for (const directive of aws.CloudWatchMetrics as Record<string, unknown>[]) {
    for (const key of Object.keys(directive))
      if (!['Namespace', 'Dimensions', 'Metrics'].includes(key)) problems.push(`MetricDirective.${key} is not in the spec`)
    if (typeof directive.Namespace !== 'string' || directive.Namespace.length === 0) problems.push('Namespace is not a non-empty string')
    if (!Array.isArray(directive.Dimensions)) problems.push('Dimensions is not an array')
    for (const set of (directive.Dimensions as unknown[]) ?? []) {
      if (!Array.isArray(set) || set.length > 30) problems.push('a dimension set is not an array of at most 30 names')
      for (const name of (set as unknown[]) ?? []) {
        if (typeof name !== 'string') problems.push('a dimension name is not a string')
        else if (typeof document[name] !== 'string') problems.push(`dimension ${name} has no string value at the root`)
      }
    }
    const metrics = directive.Metrics as Record<string, unknown>[]
    if (!Array.isArray(metrics) || metrics.length === 0 || metrics.length > 100)
      problems.push('Metrics is not an array of 1 to 100 definitions')
    for (const metric of metrics ?? []) {
      for (const key of Object.keys(metric))
        if (!['Name', 'Unit', 'StorageResolution'].includes(key)) problems.push(`MetricDefinition.${key} is not in the spec`)
      if (typeof metric.Name !== 'string') problems.push('a metric has no Name')
      else if (typeof document[metric.Name] !== 'number') problems.push(`metric ${metric.Name} has no numeric value at the root`)
      if (metric.Unit !== undefined && !UNITS.has(metric.Unit as string))
        problems.push(`metric ${String(metric.Name)} has unit ${String(metric.Unit)}`)
    }
  }
  return problems
}

describe('timingLogger: CloudWatch Embedded Metric Format', () => {
  it('writes one valid EMF document per invocation with duration, remaining, near-miss, timed-out and cold-start', async () => {
    const logger = memoryLogger()
    const handler = chain(async () => 'ok', { logger, emf: { namespace: 'Orders' } })
    const { lines } = await stdoutLines(() => invoke(handler, {}, { functionName: 'orders-api' }))

    expect(lines).toHaveLength(1)
    const document = lines[0] ?? {}
    expect(emfProblems(document)).toEqual([])
    const directive = (document._aws as { CloudWatchMetrics: Record<string, unknown>[] }).CloudWatchMetrics[0]
    expect(directive).toMatchObject({ Namespace: 'Orders', Dimensions: [['FunctionName']] })
    expect(((directive?.Metrics ?? []) as { Name: string }[]).map((metric) => metric.Name)).toEqual(
      expect.arrayContaining(['Duration', 'Remaining', 'NearMiss', 'TimedOut', 'ColdStart']),
    )
    expect(document).toMatchObject({ FunctionName: 'orders-api', NearMiss: 0, TimedOut: 0, requestId: logger.records[0]?.requestId })
    expect(document.Duration).toBe(logger.records[0]?.durationMs)
    expect(document.Remaining).toBe(logger.records[0]?.remainingMs)
  })

  it('writes the record and the metrics in one write, each a whole line of its own', async () => {
    const handler = chain(async () => 'ok', { emf: { namespace: 'Orders' } })
    const { raw, lines } = await stdoutLines(() => invoke(handler))

    expect(raw).toHaveLength(1)
    expect(raw[0]?.split('\n')).toHaveLength(3)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({ level: 'INFO', outcome: 'success' })
    expect(lines[0]).not.toHaveProperty('_aws')
    expect(emfProblems(lines[1] as Record<string, unknown>)).toEqual([])
    expect(lines[1]?.requestId).toBe(lines[0]?.requestId)
  })

  it('uses the dimensions given, and counts a timeout and a near-miss', async () => {
    const handler = chain(
      () => sleep(1000),
      { logger: memoryLogger(), emf: { namespace: 'Shop/Timing', dimensions: { service: 'checkout', stage: 'prod' } } },
      // Middy's timeout fires at 255 of 300 ms: a near-miss (0.85) as well as a timeout.
      { timeoutEarlyInMillis: 45 },
    )
    const { lines } = await stdoutLines(() => invoke(handler, {}, { timeoutMs: 300 }))

    const document = lines[0] ?? {}
    expect(emfProblems(document)).toEqual([])
    expect((document._aws as { CloudWatchMetrics: { Dimensions: unknown }[] }).CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', 'stage'],
    ])
    expect(document).toMatchObject({ service: 'checkout', stage: 'prod', TimedOut: 1, NearMiss: 1 })
  })

  it('still writes the metrics when the routine record is sampled out', async () => {
    const logger = memoryLogger()
    const handler = chain(async () => 'ok', { logger, emf: { namespace: 'Orders' }, sampleRate: 0 })
    await warmUp()
    const { lines } = await stdoutLines(() => invoke(handler))

    expect(logger.records).toHaveLength(0)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ ColdStart: 0, NearMiss: 0, TimedOut: 0 })
    expect(emfProblems(lines[0] as Record<string, unknown>)).toEqual([])
  })

  it('catches a document that breaks the specification (the checker itself works)', () => {
    expect(
      emfProblems({
        _aws: {
          Timestamp: '2026',
          CloudWatchMetrics: [{ Namespace: 'x', Dimensions: ['service'], Metrics: [{ Name: 'Duration', Unit: 'ms' }] }],
        },
      }),
    ).toEqual(
      expect.arrayContaining([
        'Timestamp is not epoch ms',
        'a dimension set is not an array of at most 30 names',
        'metric Duration has no numeric value at the root',
        'metric Duration has unit ms',
      ]),
    )
  })
})
