import { createLambdaContext } from '../../packages/testing/dist/index.js'

/**
 * How the bench calls a handler, the way a Lambda runtime would.
 * - `als`: a bare call, as in tests and non-Lambda hosts; our deadline then falls back to an
 *   AsyncLocalStorage of its own.
 * - `invoke-store`: Lambda's nodejs22.x/24.x runtime (aws-lambda-ric 4) installs
 *   `@aws/lambda-invoke-store` as `globalThis.awslambda.InvokeStore` and runs every invocation in
 *   `InvokeStore.run(context, fn)`; in single-concurrency mode that is a plain variable, no ALS.
 * - `invoke-store-multi`: the same in multi-concurrency mode (Lambda Managed Instances set
 *   AWS_LAMBDA_MAX_CONCURRENCY), where the store is an AsyncLocalStorage.
 */
export async function invoker(handler, store) {
  const event = { path: '/orders', httpMethod: 'GET' }
  if (store === 'als') return (context) => handler(event, context)
  if (store === 'invoke-store-multi') process.env.AWS_LAMBDA_MAX_CONCURRENCY = '1000'
  else if (store !== 'invoke-store') throw new Error(`unknown store ${store}`)
  const { InvokeStore, InvokeStoreBase } = await import('@aws/lambda-invoke-store')
  const invokeStore = await InvokeStore.getInstanceAsync()
  const { REQUEST_ID } = InvokeStoreBase.PROTECTED_KEYS
  return (context) => invokeStore.run({ [REQUEST_ID]: context.awsRequestId }, () => handler(event, context))
}

/** Fresh Lambda contexts, one per invocation, made before the timed loop (the runtime makes them). */
export function contexts(count, timeoutMs = 60_000) {
  return Array.from({ length: count }, () => createLambdaContext({ timeoutMs }))
}
