import { spawn, spawnSync } from 'node:child_process'

/**
 * Runs one measurement in a fresh Node process (so one configuration's AsyncLocalStorage or JIT
 * state never taxes another) and returns the JSON object it writes on fd 3. The child's stdout,
 * where our middlewares write their log lines as they would on Lambda, goes to /dev/null.
 */
export function runChild(nodeBin, script, args = [], nodeFlags = []) {
  const result = spawnSync(nodeBin, [...nodeFlags, script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (result.status !== 0) {
    const detail = (result.stderr ?? '').split('\n').filter(Boolean).slice(0, 6).join('\n  ')
    throw new Error(`${script.split('/').pop()} ${args.join(' ')} failed (exit ${result.status}):\n  ${detail}`)
  }
  const lines = result.output[3].trim().split('\n')
  return JSON.parse(lines[lines.length - 1])
}

/** `runChild` without blocking, for measurements that are not about time (memory, handles). */
export function runChildAsync(nodeBin, script, args = [], nodeFlags = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(nodeBin, [...nodeFlags, script, ...args], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    })
    let result = ''
    let stderr = ''
    proc.stdio[3].on('data', (chunk) => {
      result += chunk
    })
    proc.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    proc.on('error', reject)
    proc.on('close', (code) => {
      if (code !== 0)
        return reject(
          new Error(
            `${script.split('/').pop()} ${args.join(' ')} failed (exit ${code}):\n  ${stderr.split('\n').slice(0, 6).join('\n  ')}`,
          ),
        )
      const lines = result.trim().split('\n')
      resolve(JSON.parse(lines[lines.length - 1]))
    })
  })
}
