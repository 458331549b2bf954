import { existsSync, readFileSync } from 'node:fs'
import { CHARTS_SCRIPT } from './html-charts.js'
import { renderText } from './render-text.js'
import type { FunctionReport, Report } from './schema.js'

/**
 * uPlot's built file and its licence, copied into this package's dist/vendor at build time
 * (scripts/vendor.mjs): the package has no runtime dependency, and the page needs no network.
 * From the sources (tests), the package's own dist is used.
 */
const VENDOR_DIRS = ['./vendor/uplot/', '../dist/vendor/uplot/']

function vendored(file: string): string {
  for (const dir of VENDOR_DIRS) {
    const url = new URL(`${dir}${file}`, import.meta.url)
    if (existsSync(url)) return readFileSync(url, 'utf8')
  }
  throw new Error(`@middy-deadline/report: the vendored chart library is missing (${file}); build the package (pnpm run build)`)
}

/** One self-contained HTML file: the report's tables, its charts (uPlot, inlined) and its JSON. */
export function renderHtml(report: Report): string {
  const title = `middy-deadline report: ${report.functions.map((fn) => fn.function).join(', ') || 'no invocations'}`
  const sections = report.functions.map(functionSection).join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${vendored('uPlot.min.css')}
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; padding: 0 16px; color: #1d1d1f; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0 16px; } td, th { padding: 3px 10px; text-align: right; border-bottom: 1px solid #eee; }
td:first-child, th:first-child { text-align: left; } .chart { margin: 12px 0 20px; }
.rec { margin: 6px 0; } .rec b { text-transform: uppercase; font-size: 12px; } .muted { color: #666; }
details pre { font-size: 12px; overflow-x: auto; background: #f6f6f6; padding: 8px; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${report.input.invocations} invocations from ${report.input.lines || report.input.events} lines${report.input.firstTimestamp === null ? '' : `, ${escapeHtml(report.input.firstTimestamp)} to ${escapeHtml(report.input.lastTimestamp ?? '')}`}. Generated ${escapeHtml(report.generatedAt)}. Charts: uPlot (MIT), inlined.</p>
${sections}
<details><summary>The same report as text</summary><pre>${escapeHtml(renderText(report))}</pre></details>
<script>/*! uPlot, MIT licence: ${escapeHtml(vendored('LICENSE')).replaceAll('*/', '* /')} */
${vendored('uPlot.iife.min.js')}</script>
<script type="application/json" id="report-data">${jsonForScript(report)}</script>
<script>${CHARTS_SCRIPT}</script>
</body>
</html>
`
}

function functionSection(fn: FunctionReport, index: number): string {
  const o = fn.outcomes
  const name = [fn.function, fn.version && `version ${fn.version}`, fn.alias && `alias ${fn.alias}`].filter(Boolean).join(' · ')
  const d = fn.duration
  const recs = fn.recommendations
    .map(
      (r) =>
        `<div class="rec"><b>${escapeHtml(r.kind)}: ${escapeHtml(r.action)}${r.value === null ? '' : ` → ${r.value} ${escapeHtml(r.unit ?? '')}`}</b> ` +
        `<span class="muted">(confidence ${r.confidence.level}, ${r.confidence.basis})</span><br>${escapeHtml(r.message)}</div>`,
    )
    .join('\n')
  const phases = fn.phases
    .slice(0, 12)
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.name)}</td><td>${p.invocations}</td><td>${p.p50}</td><td>${p.p99}</td><td>${p.max}</td><td>${pct(p.slowShare)}</td></tr>`,
    )
    .join('')
  const targets = fn.outbound.targets
    .slice(0, 12)
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.target)}</td><td>${t.calls}</td><td>${t.p50 ?? '-'}</td><td>${t.p99 ?? '-'}</td><td>${t.max ?? '-'}</td><td>${t.outcomes.timeout ?? 0}</td><td>${t.pendingAtCutoff}</td><td>${pct(t.slowShare)}</td></tr>`,
    )
    .join('')
  return `<h2>${escapeHtml(name)}</h2>
<p>Timeout ${fn.timeout.ms === null ? 'unknown' : `${fn.timeout.ms} ms (from ${fn.timeout.source})`}. ${fn.invocations} invocations: ${o.success} success, ${o.error} error, ${o.gracefulTimeout} graceful timeout, ${o.hardKill} hard kill (${fn.hardKillsSeenOnlyByLambda} seen only in Lambda's lines)${o.unknown > 0 ? `, ${o.unknown} unknown` : ''}; ${fn.nearMisses} near-misses; ${fn.coldStarts.count} cold starts.</p>
${d === null ? '' : `<table><tr><th></th><th>n</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr><tr><td>duration (ms)</td><td>${d.count}</td><td>${d.p50}</td><td>${d.p90}</td><td>${d.p99}</td><td>${d.max}</td></tr>${fn.timeoutShare === null ? '' : `<tr><td>timeout used</td><td>${fn.timeoutShare.count}</td><td>${pct(fn.timeoutShare.p50)}</td><td>${pct(fn.timeoutShare.p90)}</td><td>${pct(fn.timeoutShare.p99)}</td><td>${pct(fn.timeoutShare.max)}</td></tr>`}${fn.coldStarts.init === null ? '' : `<tr><td>init (ms)</td><td>${fn.coldStarts.init.count}</td><td>${fn.coldStarts.init.p50}</td><td>${fn.coldStarts.init.p90}</td><td>${fn.coldStarts.init.p99}</td><td>${fn.coldStarts.init.max}</td></tr>`}${fn.memory.used === null ? '' : `<tr><td>memory (MB of ${fn.memory.configuredMB ?? '?'})</td><td>${fn.memory.used.count}</td><td>${fn.memory.used.p50}</td><td>${fn.memory.used.p90}</td><td>${fn.memory.used.p99}</td><td>${fn.memory.used.max}</td></tr>`}</table>`}
<h3>Recommendations</h3>
${recs || '<p class="muted">None: not enough to go on.</p>'}
<div class="chart" id="share-${index}"></div>
<div class="chart" id="durations-${index}"></div>
<div class="chart" id="phases-${index}"></div>
${phases === '' ? '' : `<h3>Phases</h3><table><tr><th>phase</th><th>n</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>slow share</th></tr>${phases}</table>`}
${targets === '' ? '' : `<h3>Outbound targets</h3><table><tr><th>target</th><th>calls</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>timeouts</th><th>at cutoff</th><th>slow share</th></tr>${targets}</table>`}`
}

const pct = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)} %`)

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}

/** JSON inside a <script> element: `<` escaped so that no `</script>` in a log line can end it. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c').replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029')
}
