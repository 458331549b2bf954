import fs from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import type { DeadlineContext } from '@middy-deadline/deadline'
import { afterEach, beforeEach, vi } from 'vitest'

export interface Captured {
  /** Every JSON line written to stdout since the capture began, parsed. */
  lines(): Record<string, unknown>[]
  records(): Record<string, unknown>[]
  warnings(): Record<string, unknown>[]
  restore(): void
}

/**
 * Captures what goes to stdout, whichever way it is written: `process.stdout.write` (a file or a
 * terminal) or `fs.writeSync(1)` (a pipe, as under vitest).
 */
export function captureStdout(): Captured {
  const chunks: string[] = []
  const writeSync = fs.writeSync
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk))
      return true
    }),
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: Uint8Array | string, ...rest: unknown[]) => {
      if (fd !== 1) return (writeSync as (...args: unknown[]) => number)(fd, data, ...rest)
      const offset = typeof rest[0] === 'number' ? rest[0] : 0
      const text = typeof data === 'string' ? data : Buffer.from(data).subarray(offset).toString()
      chunks.push(text)
      return typeof data === 'string' ? Buffer.byteLength(data) : data.length - offset
    }) as typeof fs.writeSync),
  ]
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  return {
    lines,
    records: () => lines().filter((line) => line.package === '@middy-deadline/graceful-timeout' && line.level === 'ERROR'),
    warnings: () => lines().filter((line) => line.package === '@middy-deadline/graceful-timeout' && line.level === 'WARN'),
    restore: () => {
      for (const spy of spies) spy.mockRestore()
    },
  }
}

/** `captureStdout()` around each test of the file: a fresh capture per test, restored after it. */
export function captureStdoutInEachTest(): Captured {
  let current: Captured | undefined
  beforeEach(() => {
    current = captureStdout()
  })
  afterEach(() => current?.restore())
  const active = () => current as Captured
  return {
    lines: () => active().lines(),
    records: () => active().records(),
    warnings: () => active().warnings(),
    restore: () => active().restore(),
  }
}

/** A handler that would run 3 s, passing the deadline's signal to its await. */
export async function overrunsHonouringSignal(_event: unknown, context: DeadlineContext): Promise<string> {
  await delay(3000, undefined, { signal: context.deadline.signal })
  return 'done'
}

/**
 * An `onTimeout` hook and a handler that ignores the signal and answers once that hook has run
 * (after the cutoff): the answer comes only if the hook starts while the invocation still runs.
 */
export function answersOnceHookRan(steps: string[], hookStep: string) {
  let hookRan: () => void = () => {}
  const ran = new Promise<void>((resolve) => {
    hookRan = resolve
  })
  return {
    handler: async () => {
      await ran
      steps.push('handler done')
      return 'late'
    },
    hook: () => {
      steps.push(hookStep)
      hookRan()
    },
  }
}
