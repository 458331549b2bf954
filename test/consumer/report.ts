// The report package as a program uses it: the function, its renderers, its types, and the
// CloudWatch reader from its own subpath (whose types must not need the optional AWS SDK).
import { buildReport, type FunctionReport, type Recommendation, renderHtml, renderText, reportFromEvents } from '@middy-deadline/report'
import { type LogGroupOptions, logGroupEvents } from '@middy-deadline/report/cloudwatch'

export async function summary(lines: string[]): Promise<string> {
  const report = await buildReport(lines, { nearMissThreshold: 0.8, timeoutMs: 3000 })
  const first: FunctionReport | undefined = report.functions[0]
  const advice: Recommendation[] = first?.recommendations ?? []
  return renderText(report) + renderHtml(report).length + advice.length
}

export async function fromLogGroup(options: LogGroupOptions): Promise<number> {
  const report = await reportFromEvents(logGroupEvents(options))
  return report.input.invocations
}

// @ts-expect-error the near-miss threshold is a number
buildReport([], { nearMissThreshold: '0.8' })
