import { randomUUID } from 'node:crypto'
import type { Context } from 'aws-lambda'
import { contextDefaults, type LambdaContextOptions, validateContextOptions } from './options.js'

export type { LambdaContextOptions }

/**
 * A Lambda context like the one the runtime builds: `getRemainingTimeInMillis()` counts down
 * from `timeoutMs` against the clock, exactly as the runtime computes it (deadline minus now).
 *
 * The type parameter is the context type your handler declares, e.g.
 * `createLambdaContext<DeadlineContext>()`: the fields it adds (`deadline`) are set by the
 * middlewares during the invocation, as they are on Lambda.
 */
export function createLambdaContext<TContext extends Context = Context>(options: Partial<LambdaContextOptions> = {}): TContext {
  const given = validateContextOptions(options)
  const timeoutMs = given.timeoutMs ?? contextDefaults.timeoutMs
  const now = given.now ?? Date.now
  const functionName = given.functionName ?? contextDefaults.functionName
  const functionVersion = given.functionVersion ?? contextDefaults.functionVersion
  const awsRequestId = given.awsRequestId ?? randomUUID()
  const deadlineAt = now() + timeoutMs
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: String(given.memoryLimitInMB ?? contextDefaults.memoryLimitInMB),
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
