import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runChild } from './child.mjs'

/** A CPU sample every 50 µs: fine enough for imports of a few ms, cheap enough for CI. */
export const INTERVAL_US = 50
const child = fileURLToPath(new URL('../import-child.mjs', import.meta.url))

/**
 * Imports `target` ({ specifiers, afterCore }) in a fresh process under the CPU profiler and returns
 * the stack of every sample taken inside the import window (innermost frame first). Samples count
 * CPU time: a process that waits for a CPU on a loaded machine takes no samples meanwhile, so this
 * holds where wall-clock import times swing by several times.
 */
export function profiledImport(nodeBin, name, { specifiers, afterCore }) {
  const dir = mkdtempSync(join(tmpdir(), 'import-cpu-'))
  try {
    const args = [name, ...(afterCore ? ['--after-core'] : []), ...specifiers]
    const { windowUs } = runChild(nodeBin, child, args, ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${INTERVAL_US}`])
    const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'))
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
    const parent = new Map()
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
    const stacks = []
    let at = profile.startTime
    profile.samples.forEach((id, k) => {
      at += profile.timeDeltas[k]
      if (at < windowUs[0] || at > windowUs[1]) return
      const stack = []
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.push(nodes.get(cur).callFrame)
      stacks.push(stack)
    })
    return stacks
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** CPU ms of one profiled import (its samples × the interval). */
export const cpuMs = (stacks) => (stacks.length * INTERVAL_US) / 1000
