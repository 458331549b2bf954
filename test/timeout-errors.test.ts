import { setTimeout as delay } from 'node:timers/promises'
import middy from '@middy/core'
import { type DeadlineContext, DeadlineTimeoutError, deadline } from '@middy-deadline/deadline'
import { GracefulTimeoutError, gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { OutboundTimeoutError, outboundFetchTimeout, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { ItemAbandonedError, runWithinBudget } from '@middy-deadline/remaining-time-budget'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'

// docs/deadline.md, "Timeout errors": every timeout error of ours is a DeadlineTimeoutError named
// `TimeoutError`, and `limit` says which limit fired in the same two words in every package.

const quiet = { error: () => {}, warn: () => {} }

/** What the handler threw (or answered with), whatever the outcome. */
async function thrownBy(handler: (event: unknown, context: never) => Promise<unknown>, timeoutMs: number): Promise<unknown> {
  const outcome = await invokeWithTimeout(handler, {}, { timeoutMs })
  if (outcome.status === 'killed') throw new Error(`killed: ${outcome.message}`)
  return outcome.status === 'failed' ? outcome.error : outcome.response
}

describe('our timeout errors', () => {
  it("the deadline's own reasons: an operation's limit, and the cutoff", async () => {
    const error = await thrownBy(
      middy(async (_event: unknown, context: DeadlineContext) => {
        const operation = context.deadline.scope(10)
        await delay(1_000, undefined, { signal: operation.signal }).catch(() => {})
        const cutoff = context.deadline.signal
        await delay(1_000, undefined, { signal: cutoff }).catch(() => {})
        return [operation.signal.reason, cutoff.reason]
      }).use(deadline({ reserveMs: 200 })),
      600,
    )
    const [operation, cutoff] = error as [unknown, unknown]
    expect(operation).toBeInstanceOf(DeadlineTimeoutError)
    expect(operation).toMatchObject({ name: 'TimeoutError', limit: 'operation' })
    expect(cutoff).toBeInstanceOf(DeadlineTimeoutError)
    expect(cutoff).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
  })

  it("an outbound call's own limit and the cutoff, and a call refused for lack of time", async () => {
    const answer = await thrownBy(
      middy(async () => {
        const never = () => new Promise<never>(() => {})
        const own = await withDeadline(never, { label: 'own', timeoutMs: 10 }).catch((error: unknown) => error)
        const cut = await withDeadline(never, { label: 'cut' }).catch((error: unknown) => error)
        const refused = await withDeadline(never, { label: 'refused' }).catch((error: unknown) => error)
        return [own, cut, refused]
      })
        .use(deadline({ reserveMs: 200 }))
        .use(outboundFetchTimeout({ minimumMs: 20 })),
      500,
    )
    const [own, cut, refused] = answer as unknown[]
    for (const error of [own, cut, refused]) {
      expect(error).toBeInstanceOf(OutboundTimeoutError)
      expect(error).toBeInstanceOf(DeadlineTimeoutError)
      expect(error).toMatchObject({ name: 'TimeoutError' })
    }
    expect(own).toMatchObject({ limit: 'operation', label: 'own', sent: true })
    expect(cut).toMatchObject({ limit: 'cutoff', label: 'cut', sent: true })
    expect(refused).toMatchObject({ limit: 'cutoff', label: 'refused', sent: false })
  })

  it('a call refused before the cutoff (limit cutoff, not sent) stays the function’s own error for graceful-timeout', async () => {
    const graceful = gracefulTimeout({ reserveMs: 100, logger: quiet })
    const error = await thrownBy(
      middy(async () => withDeadline(() => new Promise<never>(() => {}), { label: 'refused' }))
        .use(graceful)
        .use(outboundFetchTimeout({ minimumMs: 5_000 })),
      1_000,
    )
    expect(error).toBeInstanceOf(OutboundTimeoutError)
    expect(error).not.toBeInstanceOf(GracefulTimeoutError)
    expect(error).toMatchObject({ limit: 'cutoff', sent: false })
  })

  it('the invocation settled at its cutoff by graceful-timeout', async () => {
    const graceful = gracefulTimeout({ reserveMs: 200, logger: quiet })
    const error = await thrownBy(
      middy(async (_event: unknown, context: DeadlineContext) => {
        await delay(1_000, undefined, { signal: context.deadline.signal })
      }, graceful.plugin).use(graceful),
      500,
    )
    expect(error).toBeInstanceOf(GracefulTimeoutError)
    expect(error).toBeInstanceOf(DeadlineTimeoutError)
    expect(error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
  })

  it('a batch item abandoned at the cutoff, and one abandoned after the caller stopped the run', async () => {
    const stuck = () => new Promise<never>(() => {})
    const atCutoff = await thrownBy(
      middy(async () => (await runWithinBudget([1], stuck, { abandonAfterMs: 10, expectedMs: 1, estimator: false })).outcomes[0]).use(
        deadline({ reserveMs: 200 }),
      ),
      500,
    )
    expect(atCutoff).toMatchObject({ status: 'failed', error: { name: 'TimeoutError', limit: 'cutoff' } })
    expect((atCutoff as { error: unknown }).error).toBeInstanceOf(ItemAbandonedError)
    expect((atCutoff as { error: unknown }).error).toBeInstanceOf(DeadlineTimeoutError)

    const caller = new AbortController()
    setTimeout(() => caller.abort(new Error('shutting down')), 20)
    const stopped = await runWithinBudget([1], stuck, { signal: caller.signal, abandonAfterMs: 10, expectedMs: 1, estimator: false })
    expect(stopped.outcomes[0]).toMatchObject({ status: 'failed', error: { name: 'TimeoutError', limit: 'operation' } })
    expect((stopped.outcomes[0] as { error: unknown }).error).toBeInstanceOf(DeadlineTimeoutError)
  })
})
