import { MAX_LINE_BYTES } from '@middy-deadline/deadline/internal'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { type CapturedOutput, captureOutput } from './output.js'
import { RUNS, thrownValue } from './values.js'

/**
 * Runs `scenario` with our output captured and the process watched: a rejection nobody handled or
 * an exception nobody caught while it runs (or just after, when timers and rejections settle) fails
 * the test, as would every line written that is not one JSON value of at most `MAX_LINE_BYTES`.
 */
export async function survive<T>(scenario: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const problems: unknown[] = []
  const onProblem = (problem: unknown) => problems.push(problem)
  process.on('uncaughtException', onProblem)
  process.on('unhandledRejection', onProblem)
  let output: CapturedOutput | undefined
  try {
    output = captureOutput()
    const result = await scenario()
    // Late timers (a hook's share, a grace period) and rejections surface after the scenario.
    await new Promise((resolve) => setTimeout(resolve, 30))
    output.restore()
    expect(problems, 'an uncaught exception or unhandled rejection').toEqual([])
    return { result, lines: checkedLines(output.lines()) }
  } finally {
    output?.restore()
    process.off('uncaughtException', onProblem)
    process.off('unhandledRejection', onProblem)
  }
}

/** Each line is one JSON value within the bound; returns them parsed. */
export function checkedLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => {
    expect(Buffer.byteLength(line) + 1, 'a line longer than MAX_LINE_BYTES').toBeLessThanOrEqual(MAX_LINE_BYTES)
    let parsed: unknown
    expect(
      () => {
        parsed = JSON.parse(line)
      },
      `not one JSON line: ${line.slice(0, 200)}`,
    ).not.toThrow()
    return parsed as Record<string, unknown>
  })
}

export type Mode = 'throw' | 'reject'
/** A callback of the user's that fails with `value`: by throwing it, or by returning a promise rejected with it. */
export const failing =
  (value: unknown, how: Mode) =>
  (..._args: unknown[]): never | Promise<never> => {
    if (how === 'reject') return Promise.reject(value)
    throw value
  }
export const mode = fc.constantFrom<Mode>('throw', 'reject')
export const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )

/** One property per callback: whatever the callback fails with, the outcome is the documented one. */
export function property(name: string, check: (value: unknown, how: Mode) => Promise<void>) {
  it(name, async () => {
    await fc.assert(
      fc.asyncProperty(thrownValue, mode, (make, how) => check(make(), how)),
      RUNS,
    )
  })
}
