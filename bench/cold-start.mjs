// Import time of each package and of all four, as published and as bundled, beside @middy/core's
// own bundle and the alternatives: one fresh process per measurement, every target's run i before
// any target's run i+1 (so a burst of load hits a round, not a target), Node 22 and 24.
// Usage: node bench/cold-start.mjs [--runs=21] [--node=22,24]
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { bundledTargets, CORE_BUNDLE, FLOOR, FLOOR_AFTER_CORE, FOUR_BUNDLED, publishedTargets } from './lib/imports.mjs'
import { NODES } from './lib/packages.mjs'
import { nodeMajors, option, save, table } from './lib/report.mjs'
import { median, percentile } from './lib/stats.mjs'

const child = fileURLToPath(new URL('./import-child.mjs', import.meta.url))
const runs = Number(option('runs', 21))
const targets = { ...publishedTargets(), ...(await bundledTargets()) }
const names = Object.keys(targets)
const floorOf = (name) => (targets[name].afterCore ? FLOOR_AFTER_CORE : FLOOR)

const summary = []
for (const major of nodeMajors()) {
  const times = Object.fromEntries(names.map((name) => [name, []]))
  let node = ''
  for (let i = 0; i < runs; i++) {
    for (const name of names) {
      const { specifiers, afterCore } = targets[name]
      const result = runChild(NODES[major], child, [name, ...(afterCore ? ['--after-core'] : []), ...specifiers])
      times[name].push(result.ms)
      node = result.node
    }
  }
  for (const name of names) {
    // Over the floor, pair by pair: run i of the target minus run i of its floor.
    const overFloor = times[name].map((ms, i) => ms - times[floorOf(name)][i])
    summary.push({
      node,
      target: name,
      runs,
      medianMs: median(times[name]),
      p25Ms: percentile(times[name], 25),
      p75Ms: percentile(times[name], 75),
      overFloorMs: median(overFloor),
      overFloorP25Ms: percentile(overFloor, 25),
      overFloorP75Ms: percentile(overFloor, 75),
    })
  }
}
const row = (node, target) => summary.find((r) => r.node === node && r.target === target)
for (const r of summary) r.toCoreBundle = r.overFloorMs / row(r.node, CORE_BUNDLE).overFloorMs
save('cold-start', { summary })
const ms = (v) => v.toFixed(2)
for (const node of [...new Set(summary.map((r) => r.node))]) {
  console.log(`\n### import time, Node ${node} (${runs} fresh processes each, interleaved)\n`)
  console.log(
    table(
      ['target', 'median ms (p25–p75)', 'over the floor, ms (p25–p75)', `÷ ${CORE_BUNDLE}`],
      summary
        .filter((r) => r.node === node)
        .map((r) => [
          r.target,
          `${ms(r.medianMs)} (${ms(r.p25Ms)}–${ms(r.p75Ms)})`,
          r.target.startsWith(FLOOR) ? '' : `${ms(r.overFloorMs)} (${ms(r.overFloorP25Ms)}–${ms(r.overFloorP75Ms)})`,
          r.target.startsWith(FLOOR) ? '' : r.toCoreBundle.toFixed(2),
        ]),
    ),
  )
  const four = row(node, FOUR_BUNDLED)
  console.log(`\n${FOUR_BUNDLED} ÷ ${CORE_BUNDLE}, over the floor: ${four.toCoreBundle.toFixed(2)} (target ≤ 1)`)
}
