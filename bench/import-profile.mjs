// Where an import's time goes: CPU profiles (--cpu-prof, a sample every 50 µs) of fresh processes,
// only the samples inside the import window kept, summed by function and by kind of work. Samples
// count CPU time, so the machine's load shows less here than in wall-clock figures.
// Usage: node bench/import-profile.mjs "<target of bench/cold-start.mjs>" [--runs=20] [--node=22]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { bundledTargets, publishedTargets } from './lib/imports.mjs'
import { NODES } from './lib/packages.mjs'
import { option } from './lib/report.mjs'

const INTERVAL_US = 50
const target = process.argv[2]
const runs = Number(option('runs', 20))
const major = option('node', '22')
const targets = { ...publishedTargets(), ...(await bundledTargets()) }
if (targets[target] === undefined) {
  console.error(`unknown target ${JSON.stringify(target)}; one of:\n  ${Object.keys(targets).join('\n  ')}`)
  process.exit(2)
}
const { specifiers, afterCore } = targets[target]
const child = fileURLToPath(new URL('./import-child.mjs', import.meta.url))

// What kind of work a sample is, from its own frame and the frames that called it.
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
let samples = 0
const dir = mkdtempSync(join(tmpdir(), 'import-profile-'))
try {
  for (let i = 0; i < runs; i++) {
    const profileDir = join(dir, String(i))
    const args = [target, ...(afterCore ? ['--after-core'] : []), ...specifiers]
    const { windowUs } = runChild(NODES[major], child, args, [
      '--cpu-prof',
      `--cpu-prof-dir=${profileDir}`,
      `--cpu-prof-interval=${INTERVAL_US}`,
    ])
    const profile = JSON.parse(readFileSync(join(profileDir, readdirSync(profileDir)[0]), 'utf8'))
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
    const parent = new Map()
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
    let at = profile.startTime
    profile.samples.forEach((id, k) => {
      at += profile.timeDeltas[k]
      if (at < windowUs[0] || at > windowUs[1]) return
      samples++
      const frame = nodes.get(id).callFrame
      const self = `${frame.functionName || '(top level)'} ${frame.url.replace(/^.*\//, '')}:${frame.lineNumber}`
      bySelf.set(self, (bySelf.get(self) ?? 0) + 1)
      let kind = 'other (the loader, URLs, the rest)'
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const found = KINDS.find(([, test]) => test(nodes.get(cur).callFrame))
        if (found !== undefined) {
          kind = found[0]
          break
        }
      }
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1)
    })
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
const ms = (count) => ((count * INTERVAL_US) / 1000 / runs).toFixed(3)
console.log(`${target}, Node ${major}: ${ms(samples)} ms of CPU per import (samples in the window, mean of ${runs} fresh processes)\n`)
console.log('by kind of work (a sample counts for the nearest kind on its stack):')
for (const [kind, count] of [...byKind].sort((a, b) => b[1] - a[1])) console.log(`  ${ms(count).padStart(7)} ms  ${kind}`)
console.log('\nfunctions, self time:')
for (const [name, count] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${ms(count).padStart(7)} ms  ${name}`)
