// Time to import one target in a fresh process, after the loader itself and @middy/core (which any
// Middy handler loads anyway) are warm. Usage: node bench/import-child.mjs <target name>
import { IMPORT_TARGETS } from './lib/imports.mjs'

const target = process.argv[2]
await import('./lib/empty.mjs')
if (target !== '@middy/core') await import('@middy/core')
const start = performance.now()
for (const specifier of IMPORT_TARGETS[target]) await import(specifier)
const ms = performance.now() - start
console.log(JSON.stringify({ target, node: process.version, ms }))
