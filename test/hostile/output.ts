import fs from 'node:fs'
import { vi } from 'vitest'

export interface CapturedOutput {
  /** Every line written to stdout or stderr since the capture began, as written. */
  lines(): string[]
  /** The lines parsed; throws if one is not JSON. */
  parsed(): Record<string, unknown>[]
  restore(): void
}

/**
 * Captures everything our packages write, whichever way: `process.stdout.write`,
 * `process.stderr.write` (warnings), or `fs.writeSync` on fd 1/2 (the timeout record on a pipe).
 */
export function captureOutput(): CapturedOutput {
  let text = ''
  const writeSync = fs.writeSync
  const collect = (chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    return true
  }
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(collect),
    vi.spyOn(process.stderr, 'write').mockImplementation(collect),
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: Uint8Array | string, ...rest: unknown[]) => {
      if (fd !== 1 && fd !== 2) return (writeSync as (...args: unknown[]) => number)(fd, data, ...rest)
      const offset = typeof rest[0] === 'number' ? rest[0] : 0
      const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data).subarray(offset)
      collect(bytes)
      return bytes.length
    }) as typeof fs.writeSync),
  ]
  const lines = () => text.split('\n').filter((line) => line !== '')
  return {
    lines,
    parsed: () => lines().map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      for (const spy of spies) spy.mockRestore()
    },
  }
}
