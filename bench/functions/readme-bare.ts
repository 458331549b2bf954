// The README's handler without our four: the baseline of bench/init-duration.mjs.
import middy from '@middy/core'

async function lambdaHandler(event: { ids?: string[] }) {
  const results = await Promise.all((event.ids ?? []).map(async (id) => (await fetch(`http://127.0.0.1:9/items/${id}`)).json()))
  return { done: results.length, left: [] }
}

export const handler = middy(lambdaHandler)
