// Time to import one target in a fresh process, after the ESM loader itself is warm (and, with
// `--after-core`, @middy/core, which any Middy handler loads before our packages). Nothing else is
// loaded first: not even node:fs (bench/lib/result.mjs takes it only to write the result).
// Usage: node bench/import-child.mjs <target name> [--after-core] <specifier>...
import { writeResult } from './lib/result.mjs'

const [target, ...rest] = process.argv.slice(2)
const afterCore = rest[0] === '--after-core'
const specifiers = afterCore ? rest.slice(1) : rest
await import('./lib/empty.mjs')
if (afterCore) await import('@middy/core')
const start = performance.now()
const from = process.hrtime.bigint()
for (const specifier of specifiers) await import(specifier)
const to = process.hrtime.bigint()
const ms = performance.now() - start
// The window on the monotonic clock, in µs: where a CPU profile's samples belong to the import.
writeResult({ target, node: process.version, ms, windowUs: [Number(from / 1000n), Number(to / 1000n)] })
