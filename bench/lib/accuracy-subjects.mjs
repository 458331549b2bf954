import { distEntry, isBuilt } from './packages.mjs'

/**
 * Each subject builds a Middy chain whose cutoff handling records the time it ran and lets the
 * invocation finish; `run(context)` resolves with that time (epoch ms, the context's clock).
 */
export const ACCURACY_SUBJECTS = {
  // The shared deadline's onCutoff listeners: what every middleware of ours hangs its handling on.
  deadline: async ({ reserveMs, now }) => {
    const middy = (await import('@middy/core')).default
    const { deadline } = await import(distEntry('deadline'))
    const handler = middy((_event, context) => new Promise((resolve) => context.deadline.onCutoff(() => resolve(now()))), {
      timeoutEarlyInMillis: 0,
    }).use(deadline({ reserveMs }))
    return (context) => handler({}, context)
  },
  // Middy's own early timeout: timeoutEarlyResponse runs `timeoutEarlyInMillis` before the deadline.
  'middy-default': async ({ reserveMs, now }) => {
    const middy = (await import('@middy/core')).default
    // The handler settles a turn after its abort, so that Middy's race takes the early response.
    const handler = middy(
      (_event, _context, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => setImmediate(resolve))),
      {
        timeoutEarlyInMillis: reserveMs,
        timeoutEarlyResponse: () => now(),
      },
    )
    return (context) => handler({}, context)
  },
}

/**
 * graceful-timeout as documented (with its plugin): its cutoff handling is the timeout record,
 * written through `logger.error` at the cutoff; the handler honours the signal and answers.
 */
ACCURACY_SUBJECTS['graceful-timeout'] = async ({ reserveMs, now }) => {
  const middy = (await import('@middy/core')).default
  const { gracefulTimeout } = await import(distEntry('graceful-timeout'))
  const handledAt = new Map()
  const logger = { error: (record) => handledAt.set(record.requestId, now()), warn: () => {} }
  const graceful = gracefulTimeout({ reserveMs, logger, timeoutResponse: () => ({ statusCode: 504 }) })
  const handler = middy(
    (_event, context) => new Promise((resolve) => context.deadline.signal.addEventListener('abort', () => resolve({ statusCode: 200 }))),
    graceful.plugin,
  ).use(graceful)
  return async (context) => {
    await handler({}, context)
    const at = handledAt.get(context.awsRequestId)
    handledAt.delete(context.awsRequestId)
    return at
  }
}

/** Our subjects need their package built. */
export const subjectReady = (subject) => subject === 'middy-default' || isBuilt(subject)
