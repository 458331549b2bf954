import { execFileSync } from 'node:child_process'

/**
 * Runs one measurement in a fresh Node process (so one configuration's AsyncLocalStorage or JIT
 * state never taxes another) and returns the JSON object it prints as its last stdout line.
 */
export function runChild(nodeBin, script, args = [], nodeFlags = []) {
  const out = execFileSync(nodeBin, [...nodeFlags, script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_ENV: 'production' },
  })
  const lines = out.trim().split('\n')
  return JSON.parse(lines[lines.length - 1])
}
