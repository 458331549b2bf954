// One overhead measurement by hand, through the same child protocol as the full run (stdout to
// /dev/null, result on fd 3). Usage: node bench/run-one.mjs <node major> <config> [store] [shape]
import { fileURLToPath } from 'node:url'
import { runChild } from './lib/child.mjs'
import { NODES } from './lib/packages.mjs'

const [major, config, store = 'invoke-store', shape = 'sequential'] = process.argv.slice(2)
const child = fileURLToPath(new URL('./overhead-child.mjs', import.meta.url))
const [batches, batchSize] = shape === 'concurrent' ? ['20', '1000'] : ['300', '200']
const result = runChild(NODES[major], child, [config, store, batches, batchSize, shape])
console.log(
  `${result.node} ${store} ${shape} ${config}: median ${(result.medianNs / 1000).toFixed(2)} µs/inv over ${result.batches} batches`,
)
