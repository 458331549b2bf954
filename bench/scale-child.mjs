// Memory and active handles over many sequential invocations of one chain, in one process.
// Usage: node --expose-gc bench/scale-child.mjs <config> <als|invoke-store> <invocations> <samples>

import { CONFIGS, makeApp } from './lib/configs.mjs'
import { contexts, invoker } from './lib/invoke.mjs'
import { writeResult } from './lib/result.mjs'

const [name, store, totalArg, samplesArg] = process.argv.slice(2)
const total = Number(totalArg)
const every = total / Number(samplesArg)
const invoke = await invoker(await CONFIGS[name].build(makeApp(false)), store)

// Handles the bench itself holds (stdout/stderr pipes) are not the chain's.
const handles = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap' && r !== 'FSReqCallback')
function sample(done, startedNs) {
  globalThis.gc()
  const { heapUsed, rss } = process.memoryUsage()
  return {
    invocations: done,
    heapUsedBytes: heapUsed,
    rssBytes: rss,
    activeResources: handles().length,
    elapsedMs: Number(process.hrtime.bigint() - startedNs) / 1e6,
  }
}

const startedNs = process.hrtime.bigint()
const samples = [sample(0, startedNs)]
for (let done = 0; done < total; ) {
  // Contexts in slices of 1,000: the runtime makes one per invocation and drops it after.
  for (const context of contexts(1000)) await invoke(context)
  done += 1000
  if (done % every === 0) samples.push(sample(done, startedNs))
}
writeResult({ config: name, store, node: process.version, total, samples })
