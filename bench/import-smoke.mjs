// CI's import-time smoke check: our four bundled (minified, with the shared deadline) against
// @middy/core's own bundle, in fresh processes taken in turn on the same machine in the same run
// (the floor, an import of node:path, is printed beside). What is checked is a ratio of CPU time inside the
// import window (sampled by V8's profiler), not a time: the machine's speed cancels out, and a
// process that waits for a CPU on a loaded machine takes no samples meanwhile (wall-clock medians
// swung from 2.3 to 7 on the loaded VM; these stay within a few tenths). Fails when the ratio is
// more than 50 % above the one measured when the budget was set (IMPORT_RATIO in
// bench/lib/imports.mjs); a first failure is measured again with twice the rounds before it counts.
// Usage: node bench/import-smoke.mjs [--rounds=12]   (scripts/check-import-time.sh runs it)

import { cpuMs, profiledImport } from './lib/import-cpu.mjs'
import { bundledTargets, CORE_BUNDLE, FLOOR, FOUR_BUNDLED, IMPORT_RATIO } from './lib/imports.mjs'
import { NODES } from './lib/packages.mjs'
import { option } from './lib/report.mjs'
import { median } from './lib/stats.mjs'

const targets = await bundledTargets([CORE_BUNDLE, FOUR_BUNDLED])
const names = [FLOOR, CORE_BUNDLE, FOUR_BUNDLED]

function measure(rounds) {
  const runs = Object.fromEntries(names.map((name) => [name, []]))
  for (let i = 0; i < rounds; i++) for (const name of names) runs[name].push(cpuMs(profiledImport(NODES[22], name, targets[name])))
  // The ratio of whole imports taken one right after the other (the same contention for both),
  // median over the rounds: a young-generation GC lands inside some imports and not others, and
  // @middy/core's bundle over the floor is too small (~1 ms) to divide by on a loaded machine.
  const ratio = median(runs[FOUR_BUNDLED].map((ms, i) => ms / runs[CORE_BUNDLE][i]))
  const over = (name) => median(runs[name]) - median(runs[FLOOR])
  return { core: over(CORE_BUNDLE), four: over(FOUR_BUNDLED), ratio }
}

const limit = IMPORT_RATIO.measured * (1 + IMPORT_RATIO.regression)
const rounds = Number(option('rounds', 12))
const say = ({ core, four, ratio }, n) =>
  `CPU of the import, Node 22, ${n} rounds: over the floor (medians) ${FOUR_BUNDLED} ${four.toFixed(2)} ms, ${CORE_BUNDLE} ${core.toFixed(2)} ms; ratio of the whole imports ${ratio.toFixed(2)} (median of the rounds), limit ${limit.toFixed(2)} (${IMPORT_RATIO.measured} when set, +${IMPORT_RATIO.regression * 100} %)`
let result = measure(rounds)
console.log(say(result, rounds))
if (result.ratio > limit) {
  console.log('over the limit: measuring again with twice the rounds')
  result = measure(rounds * 2)
  console.log(say(result, rounds * 2))
}
if (result.ratio > limit) {
  console.error(`import-time regression: our four bundled cost ${result.ratio.toFixed(2)}× @middy/core's bundle, over ${limit.toFixed(2)}×`)
  process.exit(1)
}
