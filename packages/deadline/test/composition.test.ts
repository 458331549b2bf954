import middy from '@middy/core'
import { currentDeadline, type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { existingDeadlineOf } from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'

type Request = Parameters<NonNullable<ReturnType<typeof deadline>['before']>>[0]

describe('one deadline per invocation', () => {
  it('is shared by every middleware of ours, whatever their number and order', async () => {
    const seen = new Set<unknown>()
    const spy = { before: (request: Request) => void seen.add(existingDeadlineOf(request)) }
    const handler = middy(async (_e: unknown, ctx: DeadlineContext) => seen.add(ctx.deadline))
      .use(spy)
      .use(deadline())
      .use(spy)
      .use(deadline({ reserveMs: 10 }))
      .use(spy)
    await handler({}, createLambdaContext<DeadlineContext>())
    seen.delete(undefined) // the first spy ran before any deadline existed
    expect(seen.size).toBe(1)
  })

  it('stays usable in the `after` of inner middlewares and ends after the outermost one', async () => {
    const states: string[] = []
    const inner = {
      after: (request: Request) => {
        const d = existingDeadlineOf(request)
        states.push(`inner after: ended=${d?.ended} aborted=${d?.signal.aborted}`)
      },
    }
    const context = createLambdaContext<DeadlineContext>()
    await middy(async () => 'ok')
      .use(deadline())
      .use(inner)
      .use(deadline())({}, context)
    expect(states).toEqual(['inner after: ended=false aborted=false'])
    expect((context as DeadlineContext).deadline.ended).toBe(true)
  })

  it('ends on the error path', async () => {
    const context = createLambdaContext<DeadlineContext>()
    const handler = middy(async () => {
      throw new Error('boom')
    }).use(deadline())
    await expect(handler({}, context)).rejects.toThrow('boom')
    expect((context as DeadlineContext).deadline.ended).toBe(true)
  })

  it('ends on an early response from a later middleware when the plugin is used', async () => {
    const context = createLambdaContext<DeadlineContext>()
    const cached = { before: () => ({ statusCode: 200, body: 'from cache' }) }
    const handler = middy(async () => 'not reached', { ...deadlinePlugin() })
      .use(deadline())
      .use(cached)
    expect(await handler({}, context)).toEqual({ statusCode: 200, body: 'from cache' })
    expect((context as DeadlineContext).deadline.ended).toBe(true)
  })

  it('without the plugin, a timer left by an early response ends the deadline quietly instead of acting', async () => {
    const context = createLambdaContext<DeadlineContext>({ timeoutMs: 200 })
    const cutoffs: string[] = []
    const armsCutoff = {
      before: (request: Request) => {
        existingDeadlineOf(request)?.onCutoff(() => cutoffs.push('cutoff acted'))
      },
    }
    const cached = { before: () => 'from cache' }
    await middy(async () => 'not reached')
      .use(deadline({ reserveMs: 50 }))
      .use(armsCutoff)
      .use(cached)({}, context)
    const d = (context as DeadlineContext).deadline
    expect(d.ended).toBe(false) // nothing told it yet: every `after` was skipped
    // Its timer acts at the cutoff: wait for what it does, which must be to end the deadline.
    await new Promise((resolve) => {
      d.onEnd(resolve)
      d.onCutoff(resolve)
    })
    expect(d.ended).toBe(true)
    expect(cutoffs).toEqual([])
  })

  it("releases its cutoff timer before Middy's early-timeout race settles the handler", async () => {
    const context = createLambdaContext<DeadlineContext>({ timeoutMs: 150 })
    const handler = middy(async () => new Promise(() => {}), { timeoutEarlyInMillis: 50 }).use(deadline({ reserveMs: 20 }))
    await expect(handler({}, context)).rejects.toMatchObject({ name: 'TimeoutError' })
    expect((context as DeadlineContext).deadline.ended).toBe(true)
  })

  // Found by the composition matrix; documented in docs/deadline.md, "Composing with Middy 6".
  for (const plugin of [false, true]) {
    it(`is current in the handler behind an async before of another middleware ${plugin ? 'with' : 'without'} the plugin (without it, not on Middy 6)`, async () => {
      const asyncBefore = { before: async () => {} }
      let found: unknown
      const handler = middy(
        async () => {
          found = currentDeadline()
        },
        plugin ? deadlinePlugin() : undefined,
      )
        .use(asyncBefore)
        .use(deadline())
      const context = createLambdaContext<DeadlineContext>()
      await handler({}, context)
      const lost = process.env.MIDDY_MAJOR === '6' && !plugin
      expect(found).toBe(lost ? undefined : context.deadline)
    })
  }
})
