import type { FunctionReport, Report } from './schema.js'
import type { Distribution } from './sketch.js'

/** The report as a terminal reads it: one section per function, tables with aligned columns. */
export function renderText(report: Report): string {
  const out: string[] = []
  const { input } = report
  out.push(
    `middy-deadline report: ${input.invocations} invocations in ${report.functions.length} function(s), from ${input.lines || input.events} lines` +
      (input.firstTimestamp === null ? '' : `, ${input.firstTimestamp} to ${input.lastTimestamp}`),
  )
  const skipped = Object.entries(input.skipped).filter(([key, n]) => n > 0 && key !== 'containerLines')
  if (skipped.length > 0) out.push(`skipped: ${skipped.map(([key, n]) => `${n} ${key}`).join(', ')}`)
  for (const fn of report.functions) out.push('', ...functionSection(fn))
  if (report.warnings.length > 0) {
    out.push('', 'Warnings logged by our packages')
    out.push(
      ...table(
        ['count', 'package', 'message'],
        report.warnings.slice(0, 10).map((w) => [String(w.count), w.package, w.message]),
        3,
      ),
    )
  }
  return `${out.join('\n')}\n`
}

function functionSection(fn: FunctionReport): string[] {
  const title = [fn.function, fn.version === null ? '' : `version ${fn.version}`, fn.alias === null ? '' : `alias ${fn.alias}`]
    .filter(Boolean)
    .join(' · ')
  const timeout = fn.timeout.ms === null ? 'unknown' : `${fn.timeout.ms} ms (from ${fn.timeout.source})`
  const o = fn.outcomes
  const lines = [
    `== ${title}`,
    `timeout ${timeout}; ${fn.invocations} invocations: ${o.success} success, ${o.error} error, ${o.gracefulTimeout} graceful timeout, ${o.hardKill} hard kill (${fn.hardKillsSeenOnlyByLambda} seen only in Lambda's lines)${o.unknown > 0 ? `, ${o.unknown} unknown` : ''}; ${fn.nearMisses} near-misses`,
  ]
  if (fn.sampling !== null) {
    const { records, rates, invocationsInLogs } = fn.sampling
    const counts =
      invocationsInLogs === fn.invocations
        ? "invocation counts are Lambda's own (complete); figures from the records (phases, targets) are scaled"
        : `counts and figures are scaled estimates (${invocationsInLogs} invocations in the logs)`
    lines.push(
      `sampled: ${records} routine timing records at sampleRate ${rates.join(', ')} stand for 1 / rate invocations each; ${counts}`,
    )
  }
  if (fn.killedAfterCutoff > 0 || fn.blockedAtCutoff > 0)
    lines.push(
      `cutoff: ${fn.killedAfterCutoff} killed after graceful-timeout's cutoff record, ${fn.blockedAtCutoff} with the event loop blocked (watchdog record)`,
    )
  const rows: string[][] = []
  const row = (label: string, d: Distribution | null, unit: string, digits = 1) => {
    if (d !== null) rows.push([label, String(d.count), ...[d.p50, d.p90, d.p99, d.max].map((v) => `${v.toFixed(digits)}${unit}`)])
  }
  row('duration', fn.duration, ' ms')
  if (fn.timeoutShare !== null)
    rows.push([
      'timeout used',
      String(fn.timeoutShare.count),
      ...[fn.timeoutShare.p50, fn.timeoutShare.p90, fn.timeoutShare.p99, fn.timeoutShare.max].map(percent),
    ])
  row('init (cold)', fn.coldStarts.init, ' ms')
  row('memory used', fn.memory.used, ' MB', 0)
  row('settle after cutoff', fn.settle, ' ms')
  lines.push(...table(['', 'n', 'p50', 'p90', 'p99', 'max'], rows))
  lines.push(
    `cold starts: ${fn.coldStarts.count}; memory: peak ${fn.memory.used?.max ?? '?'} of ${fn.memory.configuredMB ?? '?'} MB` +
      (fn.memory.peakShare === null ? '' : ` (${percent(fn.memory.peakShare)})`),
  )
  if (fn.phases.length > 0) {
    lines.push('', 'Where the time went (phases; slow share = of the slowest 10 % invocations’ time)')
    lines.push(
      ...table(
        ['phase', 'n', 'p50 ms', 'p99 ms', 'max ms', 'slow share'],
        fn.phases
          .slice(0, 12)
          .map((p) => [p.name, String(p.invocations), p.p50.toFixed(1), p.p99.toFixed(1), p.max.toFixed(1), share(p.slowShare)]),
      ),
    )
  }
  if (fn.outbound.targets.length > 0) {
    const sampled =
      fn.outbound.calls > fn.outbound.callsSeen
        ? ` (${fn.outbound.callsSeen} of ${fn.outbound.calls} calls logged: each record keeps its 3 slowest)`
        : ''
    lines.push('', `Outbound targets by p99${sampled}`)
    lines.push(
      ...table(
        ['target', 'calls', 'p50 ms', 'p99 ms', 'max ms', 'timeouts', 'at cutoff', 'slow share'],
        fn.outbound.targets
          .slice(0, 12)
          .map((t) => [
            t.target,
            String(t.calls),
            fixed(t.p50),
            fixed(t.p99),
            fixed(t.max),
            String(t.outcomes.timeout ?? 0),
            String(t.pendingAtCutoff),
            share(t.slowShare),
          ]),
      ),
    )
  }
  if (fn.recommendations.length > 0) {
    lines.push('', 'Recommendations')
    for (const r of fn.recommendations) {
      const value = r.value === null ? '' : ` → ${r.value}${r.unit === null ? '' : ` ${r.unit}`}`
      lines.push(`- [${r.kind}] ${r.action}${value} (confidence ${r.confidence.level}: ${r.confidence.basis})`, `    ${r.message}`)
    }
  }
  return lines
}

/** Columns before `textColumns` hold text, read from the left; the ones after hold figures, aligned on the right. */
function table(header: string[], rows: string[][], textColumns = 1): string[] {
  if (rows.length === 0) return []
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i < textColumns ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd()
  return [format(header), ...rows.map(format)]
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`
const share = (value: number | null) => (value === null ? '-' : percent(value))
const fixed = (value: number | null) => (value === null ? '-' : value.toFixed(1))
