/**
 * Process state, on purpose: the peak resident set belongs to the process, and concurrent
 * invocations share one reading. (In multi-concurrency mode each runtime worker thread keeps its
 * own reading; what it reads is still the whole process's peak.)
 */
let peakMB = 0
let readAtMs = Number.NEGATIVE_INFINITY

// getrusage reports the peak resident set in kilobytes on Linux.
const KB_PER_MB = 1024
/**
 * Reading the peak (getrusage) is a large part of a record's cost (bench/micro.mjs, docs/performance.md, "Speed tricks").
 * It only ever grows, so a reading at most 100 ms old is what the record would have said 100 ms
 * earlier: invocations that come faster than that share it, slower ones still read their own.
 */
const MAX_AGE_MS = 100

/** The process's peak RSS in MB; `fresh` reads it now instead of reusing a recent reading. */
export function peakRssMB(fresh: boolean): number {
  const now = performance.now()
  if (fresh || now - readAtMs >= MAX_AGE_MS) {
    peakMB = process.resourceUsage().maxRSS / KB_PER_MB
    readAtMs = now
  }
  return peakMB
}
