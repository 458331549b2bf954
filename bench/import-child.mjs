// Time to import one target in a fresh process, after the loader itself and @middy/core (which any
// Middy handler loads anyway) are warm. Usage: node bench/import-child.mjs <target name> <specifier>...
import { writeResult } from './lib/result.mjs'

const [target, ...specifiers] = process.argv.slice(2)
await import('./lib/empty.mjs')
if (target !== '@middy/core') await import('@middy/core')
const start = performance.now()
for (const specifier of specifiers) await import(specifier)
const ms = performance.now() - start
writeResult({ target, node: process.version, ms })
