// Where an import's time goes: CPU profiles (--cpu-prof, a sample every 50 µs) of fresh processes,
// only the samples inside the import window kept, summed by function and by kind of work. Samples
// count CPU time, so the machine's load shows less here than in wall-clock figures.
// Usage: node bench/import-profile.mjs "<target of bench/cold-start.mjs>" [--runs=20] [--node=22]

import { cpuMs, profiledImport } from './lib/import-cpu.mjs'
import { bundledTargets, publishedTargets } from './lib/imports.mjs'
import { NODES } from './lib/packages.mjs'
import { option } from './lib/report.mjs'

const target = process.argv[2]
const runs = Number(option('runs', 20))
const major = option('node', '22')
const targets = { ...publishedTargets(), ...(await bundledTargets()) }
if (targets[target] === undefined) {
  console.error(`unknown target ${JSON.stringify(target)}; one of:\n  ${Object.keys(targets).join('\n  ')}`)
  process.exit(2)
}
const { specifiers } = targets[target]

// What kind of work a sample is: the first of these found anywhere on its stack.
const KINDS = [
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['compiling the module (V8)', (f) => f.functionName === 'compileSourceTextModule'],
  ["loading Node's own modules (a built-in's facade, a lazy global)", (f) => f.functionName === 'compileForInternalLoader'],
  // Our built modules (a published entry and what it imports of deadline), or the bundle itself.
  ['evaluating the module', (f) => /\/packages\/[^/]+\/dist\//.test(f.url) || specifiers.some((s) => f.url.endsWith(s))],
  [
    'resolving and reading modules (package.json, exports, realpath)',
    (f) => /esm\/resolve|package_json_reader|esm\/load|get_format/.test(f.url),
  ],
]
const bySelf = new Map()
const byKind = new Map()
const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1)
let samples = 0
for (let i = 0; i < runs; i++) {
  for (const stack of profiledImport(NODES[major], target, targets[target])) {
    samples++
    const [frame] = stack
    add(bySelf, `${frame.functionName || '(top level)'} ${frame.url.replace(/^.*\//, '')}:${frame.lineNumber}`)
    add(byKind, KINDS.find(([, test]) => stack.some(test))?.[0] ?? 'other (the loader, URLs, the rest)')
  }
}
const ms = (count) => (cpuMs({ length: count }) / runs).toFixed(3)
console.log(`${target}, Node ${major}: ${ms(samples)} ms of CPU per import (samples in the window, mean of ${runs} fresh processes)\n`)
console.log('by kind of work (a sample counts for the first of these kinds found on its stack):')
for (const [kind, count] of [...byKind].sort((a, b) => b[1] - a[1])) console.log(`  ${ms(count).padStart(7)} ms  ${kind}`)
console.log('\nfunctions, self time:')
for (const [name, count] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${ms(count).padStart(7)} ms  ${name}`)
