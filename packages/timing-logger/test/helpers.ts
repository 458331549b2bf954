import middy, { type MiddlewareObj } from '@middy/core'
import { deadlinePlugin } from '@middy-deadline/deadline'
import { invokeWithTimeout, type LambdaContextOptions } from '@middy-deadline/testing'
import { type TimingLoggerOptions, timingLogger } from '@middy-deadline/timing-logger'
import { vi } from 'vitest'
import { captureStdout } from '../../../test/support/output.js'

export type Written = Record<string, unknown> & { level: 'INFO' | 'WARN' }

/** A logger like Powertools' or pino's: keeps what it was given, with the level it was given at. */
export function memoryLogger() {
  const records: Written[] = []
  return {
    records,
    info: (record: Record<string, unknown>) => records.push({ ...record, level: 'INFO' }),
    warn: (record: Record<string, unknown>) => records.push({ ...record, level: 'WARN' }),
  }
}

/**
 * Every JSON line written to stdout while `run` runs (the default output and EMF go there), and
 * the chunks as written (one `write` may carry several lines).
 */
export async function stdoutLines<T>(run: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[]; raw: string[] }> {
  const stdout = captureStdout()
  try {
    const result = await run()
    return { result, lines: stdout.lines(), raw: stdout.chunks }
  } finally {
    stdout.restore()
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

type Handler = (event: never, context: never) => unknown

/** A Middy chain with the timing logger first, with or without the deadline's plugin hooks. */
export function chain(
  handler: Handler,
  options: Partial<TimingLoggerOptions>,
  { plugin = true, timeoutEarlyInMillis = 0, middlewares = [] as MiddlewareObj[] } = {},
) {
  const hooks = plugin ? deadlinePlugin() : {}
  const instance = middy(handler as never, { ...hooks, timeoutEarlyInMillis }).use(timingLogger(options))
  for (const middleware of middlewares) instance.use(middleware)
  return instance
}

export function invoke(handler: ReturnType<typeof chain>, event: unknown = {}, context: Partial<LambdaContextOptions> = {}) {
  return invokeWithTimeout(handler as never, event, { timeoutMs: 1000, ...context })
}

/**
 * Invokes `handler` on the fake clock, advanced by `runMs`: a handler that waits `sleep(runMs)`
 * takes exactly that long. For what is about the share of the budget used (a near miss), not about
 * the clock: a real 255 ms sleep went past 99 % of a 300 ms budget on a loaded machine.
 */
export async function invokeOnTheFakeClock(handler: ReturnType<typeof chain>, runMs: number, context: Partial<LambdaContextOptions> = {}) {
  vi.useFakeTimers()
  try {
    const outcome = invoke(handler, {}, context)
    await vi.advanceTimersByTimeAsync(runMs)
    return await outcome
  } finally {
    vi.useRealTimers()
  }
}

/** A named middleware (Middy's plugin hooks, and so the record, see function names). */
export function delayedMiddleware(name: string, ms: { before?: number; after?: number; onError?: number }): MiddlewareObj {
  const middleware: MiddlewareObj = {}
  const wait = (delay: number, fnName: string) =>
    Object.defineProperty(
      async () => {
        await sleep(delay)
      },
      'name',
      { value: fnName },
    )
  if (ms.before !== undefined) middleware.before = wait(ms.before, `${name}Before`)
  if (ms.after !== undefined) middleware.after = wait(ms.after, `${name}After`)
  if (ms.onError !== undefined) middleware.onError = wait(ms.onError, `${name}OnError`)
  return middleware
}

/** The first invocation of the process is a cold start and always logged: get it out of the way. */
export async function warmUp(): Promise<void> {
  await invoke(chain(async () => 'ok', { logger: memoryLogger() }))
}
