import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { percentile } from './stats.mjs'

const child = fileURLToPath(new URL('../accuracy-blocked-child.mjs', import.meta.url))

/**
 * Runs the blocked-loop child and stamps every line it writes with this process's Date.now() as
 * the line arrives (the child's main thread cannot stamp anything while blocked; both processes
 * read the same wall clock, to the millisecond). Resolves with how long after the planned cutoff
 * the first word about it came out: the watchdog's record, or the main thread once unblocked.
 */
export function blockedRun(nodeBin, mode, count) {
  return new Promise((resolve, reject) => {
    const proc = spawn(nodeBin, [child, mode, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] })
    const plans = new Map()
    const firstWord = new Map()
    let node = ''
    let buffer = ''
    proc.stdout.on('data', (chunk) => {
      const arrivedAt = Date.now()
      buffer += chunk
      const lines = buffer.split('\n')
      buffer = lines.pop()
      for (const line of lines) {
        const entry = JSON.parse(line)
        if (entry.kind === 'plan') plans.set(entry.requestId, entry.cutoffAt)
        else if (entry.kind === 'done') node = entry.node
        else if (entry.requestId !== undefined && !firstWord.has(entry.requestId))
          firstWord.set(entry.requestId, { arrivedAt, source: entry.source ?? 'main thread' })
      }
    })
    proc.on('error', reject)
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`blocked-loop child exited with ${code}`))
      const late = [...plans].map(([requestId, cutoffAt]) => firstWord.get(requestId).arrivedAt - cutoffAt)
      const sources = new Set([...firstWord.values()].map((w) => w.source))
      resolve({
        node,
        mode,
        count,
        sources: [...sources],
        p50Ms: percentile(late, 50),
        p99Ms: percentile(late, 99),
        maxMs: Math.max(...late),
        minMs: Math.min(...late),
      })
    })
  })
}
