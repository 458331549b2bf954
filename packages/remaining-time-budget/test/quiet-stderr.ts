import { afterEach, beforeEach, expect } from 'vitest'
import { type CapturedOutput, captureStderr } from '../../../test/support/output.js'

type Line = Record<string, unknown>

/**
 * For the tests of the block it is called in: stderr gets nothing but what a test says it writes
 * (`said`, nothing by default), checked after each test. Our warnings are written once per process,
 * so a retried test (mutation runs retry a failing test twice) would not write again what its first
 * attempt wrote and would pass: what was written unasked stays in every later check of the block.
 */
export function quietStderr(): { said(lines: Line[]): void } {
  const unasked: Line[] = []
  let stderr: CapturedOutput
  let said: Line[] = []
  beforeEach(() => {
    stderr = captureStderr()
    said = []
  })
  afterEach(() => {
    const lines = stderr.lines()
    expect(lines.slice(0, said.length)).toEqual(said)
    unasked.push(...lines.slice(said.length))
    expect(unasked).toEqual([])
  })
  return {
    said: (lines) => {
      said = lines
    },
  }
}
