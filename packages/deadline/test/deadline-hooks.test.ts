import middy from '@middy/core'
import { type Deadline, type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { type DeadlineProgress, type Timeline, timelineOf } from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'

describe("the timeline's onProgress (the watchdog's view of marks and phases)", () => {
  it('tells a listener about every mark and every phase change, in order, until the invocation ends', async () => {
    const seen: string[] = []
    const listener = (timeline: Timeline, progress: DeadlineProgress) =>
      seen.push(progress === 'mark' ? `mark ${timeline.marks.at(-1)?.name}` : `phase ${timeline.currentPhase ?? '-'}`)
    let kept: Deadline | undefined
    const handler = middy(async (_event: unknown, context: DeadlineContext) => {
      context.deadline.mark('parsed')
      context.deadline.mark('stored')
      return 'ok'
    }, deadlinePlugin())
      .use(deadline())
      .use({
        before: function listenBefore(request: { context: DeadlineContext }) {
          kept = request.context.deadline
          timelineOf(kept).onProgress(listener)
        },
      })
    await handler({}, createLambdaContext())
    expect(seen).toEqual([
      // The listener was added inside listenBefore: it sees that phase close, then the rest.
      'phase -',
      'phase handler',
      'mark parsed',
      'mark stored',
      'phase -',
      // deadline()'s after ends the deadline: the close of its own phase is not reported.
      'phase deadlineAfter',
    ])
    // Ended: nothing more is reported, and a late listener is not kept.
    kept?.mark('after the end')
    if (kept !== undefined) timelineOf(kept).onProgress(listener)
    kept?.mark('later still')
    expect(seen).toHaveLength(6)
  })

  it('can be removed, and a listener that throws does not stop the others or the mark', async () => {
    const seen: string[] = []
    const context = createLambdaContext<DeadlineContext>()
    await middy(async (_event: unknown, ctx: DeadlineContext) => {
      const timeline = timelineOf(ctx.deadline)
      const remove = timeline.onProgress(() => seen.push('removed one'))
      timeline.onProgress(() => {
        throw new Error('listener bug')
      })
      timeline.onProgress((_timeline, progress) => seen.push(progress))
      remove()
      // Removing again takes no other listener with it.
      remove()
      ctx.deadline.mark('work')
    }).use(deadline())({}, context)
    expect(seen).toEqual(['mark'])
    expect(context.deadline.marks.map((mark) => mark.name)).toEqual(['work'])
  })

  it('lets a listener be removed once the invocation has ended, when the timeline has none left', async () => {
    const seen: string[] = []
    const context = createLambdaContext<DeadlineContext>()
    const remove = (await middy(async (_event: unknown, ctx: DeadlineContext) =>
      timelineOf(ctx.deadline).onProgress(() => seen.push('progress')),
    ).use(deadline())({}, context)) as () => void
    expect(() => remove()).not.toThrow()
    context.deadline.mark('after the end')
    expect(seen).toEqual([])
  })
})

describe('a cutoff or end listener added late', () => {
  it('runs at once when added after the cutoff (onCutoff) or after the end (onEnd)', async () => {
    const seen: string[] = []
    let kept: Deadline | undefined
    const handler = middy(async (_event: unknown, context: DeadlineContext) => {
      kept = context.deadline
      await new Promise((resolve) => context.deadline.onCutoff(resolve))
      context.deadline.onCutoff(() => seen.push('cutoff listener added after the cutoff'))
      seen.push('handler goes on')
      return 'ok'
    }).use(deadline({ reserveMs: 100 }))
    await handler({}, createLambdaContext({ timeoutMs: 300 }))
    kept?.onEnd(() => seen.push('end listener added after the end'))
    expect(seen).toEqual(['cutoff listener added after the cutoff', 'handler goes on', 'end listener added after the end'])
  })
})
