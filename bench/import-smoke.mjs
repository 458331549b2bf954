// CI's import-time smoke check: our four bundled (minified, with the shared deadline) against
// @middy/core's own bundle, both over the floor (an import of node:path), in fresh processes
// interleaved round by round on the same machine in the same run. What is checked is a ratio, not a
// time: the machine's speed cancels out. Fails when the ratio is more than 50 % above the one
// measured when the budget was set (IMPORT_RATIO in bench/lib/imports.mjs); a first failure is
// measured again with twice the rounds before it counts (a burst of other work hits one run).
// Usage: node bench/import-smoke.mjs [--rounds=15]   (scripts/check-import-time.sh runs it)
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { bundledTargets, CORE_BUNDLE, FLOOR, FOUR_BUNDLED, IMPORT_RATIO } from './lib/imports.mjs'
import { NODES } from './lib/packages.mjs'
import { option } from './lib/report.mjs'
import { median } from './lib/stats.mjs'

const child = fileURLToPath(new URL('./import-child.mjs', import.meta.url))
const all = await bundledTargets([CORE_BUNDLE, FOUR_BUNDLED])
const names = [FLOOR, CORE_BUNDLE, FOUR_BUNDLED]

function measure(rounds) {
  const times = Object.fromEntries(names.map((name) => [name, []]))
  for (let i = 0; i < rounds; i++)
    for (const name of names) times[name].push(runChild(NODES[22], child, [name, ...all[name].specifiers]).ms)
  const over = (name) => median(times[name].map((ms, i) => ms - times[FLOOR][i]))
  return { core: over(CORE_BUNDLE), four: over(FOUR_BUNDLED), ratio: over(FOUR_BUNDLED) / over(CORE_BUNDLE) }
}

const limit = IMPORT_RATIO.measured * (1 + IMPORT_RATIO.regression)
const rounds = Number(option('rounds', 15))
const say = ({ core, four, ratio }, n) =>
  `${FOUR_BUNDLED} ${four.toFixed(2)} ms, ${CORE_BUNDLE} ${core.toFixed(2)} ms over the floor (median of ${n}, Node 22): ratio ${ratio.toFixed(2)}, limit ${limit.toFixed(2)} (${IMPORT_RATIO.measured} when set, +${IMPORT_RATIO.regression * 100} %)`
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
