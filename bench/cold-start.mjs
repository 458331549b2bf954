// Import time of each package, of all four together and of the alternatives: one fresh process per
// measurement, many runs, Node 22 and 24. Usage: node bench/cold-start.mjs [--runs=30] [--node=22,24]
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { importTargets, singleFileTargets } from './lib/imports.mjs'
import { NODES } from './lib/packages.mjs'
import { nodeMajors, option, save, table } from './lib/report.mjs'
import { median, percentile } from './lib/stats.mjs'

const child = fileURLToPath(new URL('./import-child.mjs', import.meta.url))
const runs = Number(option('runs', 30))
const specifiers = { ...importTargets(), ...(await singleFileTargets()) }
const targets = Object.keys(specifiers)

const summary = []
for (const major of nodeMajors()) {
  const times = Object.fromEntries(targets.map((t) => [t, []]))
  let node = ''
  // Interleaved: run i of every target before run i+1 of any.
  for (let i = 0; i < runs; i++) {
    for (const target of targets) {
      const result = runChild(NODES[major], child, [target, ...specifiers[target]])
      times[target].push(result.ms)
      node = result.node
    }
  }
  for (const target of targets) summary.push({ node, target, medianMs: median(times[target]), p90Ms: percentile(times[target], 90), runs })
}
save('cold-start', { summary })
for (const major of nodeMajors()) {
  const rows = summary.filter((r) => r.node.startsWith(`v${major}.`))
  console.log(`\n### import time, Node ${rows[0].node} (${runs} fresh processes each, @middy/core preloaded)\n`)
  console.log(
    table(
      ['target', 'median ms', 'p90 ms'],
      rows.map((r) => [r.target, r.medianMs.toFixed(3), r.p90Ms.toFixed(3)]),
    ),
  )
}
