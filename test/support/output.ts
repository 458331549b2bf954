import { onTestFinished, vi } from 'vitest'

export interface CapturedOutput {
  /** What was written since the capture began, one entry per write, as text. */
  readonly chunks: string[]
  /** What was written, split into lines (empty ones dropped) and parsed: a line that is not JSON fails the test. */
  lines(): Record<string, unknown>[]
  /** Puts the real output back before the test ends (it is put back when the test ends anyway). */
  restore(): void
}

/**
 * Captures what is written to `process.stderr` (our packages' warnings, Powertools' error lines)
 * instead of printing it, until the test ends or `restore()` is called. Call it inside a test or
 * a `beforeEach`.
 */
export const captureStderr = (): CapturedOutput => captureStream(process.stderr)

/** `captureStderr()`'s twin for `process.stdout` (timing lines, EMF, the report CLI's output). */
export const captureStdout = (): CapturedOutput => captureStream(process.stdout)

/**
 * Captures what the given `console` methods print (Powertools' logger in dev mode prints through
 * them, not through the streams), one entry per call, until the test ends.
 */
export function captureConsole(methods: readonly ('info' | 'warn' | 'error')[]): CapturedOutput {
  const chunks: string[] = []
  const spies = methods.map((method) =>
    vi.spyOn(console, method).mockImplementation((line: unknown) => {
      chunks.push(String(line))
    }),
  )
  return captured(chunks, '\n', () => {
    for (const spy of spies) spy.mockRestore()
  })
}

function captureStream(stream: NodeJS.WriteStream): CapturedOutput {
  const chunks: string[] = []
  const spy = vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
    return true
  })
  // A line may come in several writes: the chunks are joined as written.
  return captured(chunks, '', () => spy.mockRestore())
}

function captured(chunks: string[], separator: string, restore: () => void): CapturedOutput {
  onTestFinished(restore)
  return {
    chunks,
    lines: () =>
      chunks
        .join(separator)
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore,
  }
}
