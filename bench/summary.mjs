// Condenses bench/.out/*.json into the tables of docs/performance.md (markdown on stdout).
// Usage: node bench/summary.mjs   (scripts/bench.sh runs it last)
import { existsSync, readFileSync } from 'node:fs'
import { ROOT } from './lib/packages.mjs'
import { table } from './lib/report.mjs'

const load = (name) => {
  const file = `${ROOT}bench/.out/${name}.json`
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined
}
const us = (ns) => (ns / 1000).toFixed(2)
const major = (node) => node.slice(1).split('.')[0]

function overheadTable(data) {
  const columns = [...new Set(data.summary.map((r) => `${major(r.node)}|${r.store}`))]
  const chains = [...new Set(data.summary.map((r) => r.config))]
  const cell = (chain, column) => {
    const r = data.summary.find((s) => s.config === chain && `${major(s.node)}|${s.store}` === column)
    if (r === undefined) return '—'
    return chain === 'middy-bare' ? `${us(r.medianNs)} µs` : `${r.addedNs >= 0 ? '+' : ''}${us(r.addedNs)} (${r.ratio.toFixed(1)}×)`
  }
  return [
    ['chain', ...columns.map((c) => `Node ${c.replace('|', ', ')}`)],
    chains.map((chain) => [chain, ...columns.map((column) => cell(chain, column))]),
  ]
}

const out = []
/** One table of docs/performance.md: its heading, then the table. */
const section = (heading, [headers, rows]) => out.push(heading, '', table(headers, rows), '')

const overhead = load('overhead')
if (overhead) section('### Per invocation, sequential: added µs over bare Middy (ratio to bare), median', overheadTable(overhead))
const concurrent = load('overhead-concurrent')
if (concurrent)
  section('### 1,000 invocations in flight: added µs per invocation over bare Middy (ratio), median', overheadTable(concurrent))
const cold = load('cold-start')
if (cold) {
  const targets = [...new Set(cold.summary.map((r) => r.target))]
  const nodes = [...new Set(cold.summary.map((r) => r.node))]
  const ms = (v) => v.toFixed(2)
  const cell = (target, node) => {
    const r = cold.summary.find((s) => s.target === target && s.node === node)
    if (r === undefined) return '—'
    if (r.target.startsWith('(floor')) return `${ms(r.medianMs)} (${ms(r.p25Ms)}–${ms(r.p75Ms)})`
    return `${ms(r.overFloorMs)} (${ms(r.overFloorP25Ms)}–${ms(r.overFloorP75Ms)}), ${r.toCoreBundle.toFixed(2)}×`
  }
  section("### Import time over the floor, ms: median of paired runs (p25–p75), and ÷ @middy/core's bundle", [
    ['target', ...nodes.map((n) => `Node ${n}`)],
    targets.map((t) => [t, ...nodes.map((n) => cell(t, n))]),
  ])
}
const init = load('init-duration')
if (init) {
  const ms = (v) => v.toFixed(2)
  section("### Init Duration under the runtime client: the README's handler with and without our four, ms", [
    ['node', 'figure', 'cold starts of each', 'without our four', 'with all four', 'added: median of pairs (p25–p75)'],
    init.summary.map((r) => [
      r.node,
      r.figure,
      r.pairs,
      ms(r.bareMs),
      ms(r.fourMs),
      `${ms(r.addedMs)} (${ms(r.addedP25Ms)}–${ms(r.addedP75Ms)})`,
    ]),
  ])
}
const size = load('size')
if (size) {
  const kb = (b) => (b / 1024).toFixed(2)
  section('### Bundle size (esbuild, minified, gzip -9)', [
    ['bundle', 'min KB', 'min+gz KB', 'budget'],
    size.rows.map((r) => [
      r.name,
      kb(r.minBytes),
      kb(r.gzipBytes),
      r.budget === undefined ? '' : `${kb(r.budget)} ${r.gzipBytes > r.budget ? '**over**' : 'ok'}`,
    ]),
  ])
}
const accuracy = load('accuracy')
if (accuracy) {
  const ms = (v) => v.toFixed(2)
  section('### Cutoff lateness, ms after plan (negative = early)', [
    ['node', 'subject', 'loop', 'min', 'p50', 'p90', 'p99', 'max'],
    accuracy.summary.map((r) => [major(r.node), r.subject, r.loop, ms(r.minMs), ms(r.p50Ms), ms(r.p90Ms), ms(r.p99Ms), ms(r.maxMs)]),
  ])
  if (accuracy.blocked?.length)
    section('### Blocked loop (graceful-timeout, reserve 50 ms): first word of the cutoff on stdout, ms after the cutoff', [
      ['node', 'mode', 'written by', 'min', 'p50', 'p99', 'max'],
      accuracy.blocked.map((r) => [major(r.node), r.mode, r.sources.join(', '), r.minMs, r.p50Ms, r.p99Ms, r.maxMs]),
    ])
}
const scale = load('scale')
if (scale) {
  const mb = (b) => (b / 2 ** 20).toFixed(2)
  section('### A million invocations in one process (heap after forced GC)', [
    ['node', 'chain', 'store', 'heap at 100k → 1M MB', 'growth B per 1k inv', 'RSS at 100k → 1M MB', 'max active handles'],
    scale.summary.map(({ node, config, store, samples }) => {
      const first = samples[1]
      const last = samples[samples.length - 1]
      const growth = ((last.heapUsedBytes - first.heapUsedBytes) / (last.invocations - first.invocations)) * 1000
      return [
        major(node),
        config,
        store,
        `${mb(first.heapUsedBytes)} → ${mb(last.heapUsedBytes)}`,
        growth.toFixed(1),
        `${mb(first.rssBytes)} → ${mb(last.rssBytes)}`,
        Math.max(...samples.map((s) => s.activeResources)),
      ]
    }),
  ])
}
const micro = load('micro')
if (micro)
  section('### Building blocks, median ns per call (bench/micro.mjs)', [
    ['operation', ...micro.results.map((r) => `Node ${major(r.node)}`)],
    micro.results[0].rows.map(([name], i) => [name, ...micro.results.map((r) => r.rows[i][1].toFixed(0))]),
  ])
console.log(out.join('\n'))
