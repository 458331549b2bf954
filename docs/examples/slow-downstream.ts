/**
 * Example: an API handler that asks a downstream service for a price. Some days the downstream
 * accepts the connection and never answers.
 *
 * - `unprotected`: a plain `fetch` has no timeout, so the call outlives the invocation. Lambda
 *   kills it at the hard deadline (`Task timed out`), or at best Middy's own early timeout throws
 *   a generic TimeoutError 5 ms before it; either way nobody learns which call was slow.
 * - `handler`: the same code, unchanged. `outboundFetchTimeout` makes the global `fetch`
 *   deadline-aware for this function's invocations: the call is cut at the cutoff, 300 ms before
 *   the hard deadline, with an error that names the call. The handler turns it into a 504.
 *
 * The downstream's address comes from the PRICES_URL environment variable.
 */
import middy from '@middy/core'
import { deadline } from '@middy-deadline/deadline'
import { OutboundTimeoutError, outboundFetchTimeout } from '@middy-deadline/outbound-fetch-timeout'
import { timingLogger } from '@middy-deadline/timing-logger'

interface PriceRequest {
  productId?: string
}

async function getPrice(event: PriceRequest) {
  try {
    const response = await fetch(`${process.env.PRICES_URL}/prices/${event.productId ?? '42'}`)
    return { statusCode: 200, body: await response.text() }
  } catch (error) {
    // Both a platform timeout and ours are named TimeoutError; anything else is a real failure.
    if ((error as Error).name !== 'TimeoutError') throw error
    // Ours names the call in its fields; its message is kept fit for a response body.
    const call = error instanceof OutboundTimeoutError ? `${error.method} ${error.url}` : 'fetch'
    console.log(`price lookup timed out: ${call}: ${(error as Error).message}`)
    return { statusCode: 504, body: JSON.stringify({ message: 'the price service did not answer in time' }) }
  }
}

// Without our middlewares.
export const unprotected = middy(getPrice)

// With them: the cutoff comes 300 ms before Lambda's hard deadline, and every fetch ends by then.
// The timing record of each invocation lists its outbound calls.
export const handler = middy(getPrice)
  .use(timingLogger())
  .use(deadline({ reserveMs: 300 }))
  .use(outboundFetchTimeout({ perRequestMs: 5000, patchGlobalFetch: true }))
