import { randomUUID } from 'node:crypto'
import type { Context } from 'aws-lambda'

export interface LambdaContextOptions {
  /** The function's configured timeout; the remaining time starts here and really decreases. */
  timeoutMs: number
  awsRequestId: string
  functionName: string
  functionVersion: string
  memoryLimitInMB: number
  /**
   * Epoch ms source. Defaults to `Date.now`, which vitest's fake timers control, so a test can
   * `vi.advanceTimersByTime()` and watch the remaining time fall.
   */
  now: () => number
}

/**
 * A Lambda context like the one the runtime builds: `getRemainingTimeInMillis()` counts down
 * from `timeoutMs` against the clock, exactly as the runtime computes it (deadline minus now).
 *
 * The type parameter is the context type your handler declares, e.g.
 * `createLambdaContext<DeadlineContext>()`: the fields it adds (`deadline`) are set by the
 * middlewares during the invocation, as they are on Lambda.
 */
export function createLambdaContext<TContext extends Context = Context>(options: Partial<LambdaContextOptions> = {}): TContext {
  const timeoutMs = options.timeoutMs ?? 3000
  const now = options.now ?? Date.now
  const functionName = options.functionName ?? 'test-function'
  const functionVersion = options.functionVersion ?? '$LATEST'
  const awsRequestId = options.awsRequestId ?? randomUUID()
  const deadlineAt = now() + timeoutMs
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 128),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/11/23/[${functionVersion}]0123456789abcdef`,
    getRemainingTimeInMillis: () => deadlineAt - now(),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  } satisfies Context as unknown as TContext
}

function unsupported(name: string) {
  return () => {
    throw new Error(`context.${name}() is not supported by the Node.js 22+ Lambda runtimes`)
  }
}
