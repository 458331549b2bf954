export { createLambdaContext, type LambdaContextOptions } from './context.js'
export { type InvocationOutcome, invokeWithTimeout, type LambdaHandler } from './invoke.js'
export type { InvokeOptions } from './options.js'
