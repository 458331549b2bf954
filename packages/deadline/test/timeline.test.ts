import middy from '@middy/core'
import { Deadline, type DeadlineContext, deadline, deadlinePlugin } from '@middy-deadline/deadline'
import { deadlineOf, endDeadline, releaseDeadline, timelineOf } from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// The timeline (marks and the plugin's phases) as the timing logger, the timeout record and the
// watchdog read it through deadline/internal; the plugin's hooks and the request helpers at the
// edges Middy can take them to.
const made: Deadline[] = []
const aTimeline = () => {
  const deadline = new Deadline({ context: createLambdaContext({ timeoutMs: 10_000 }) })
  made.push(deadline)
  return { deadline, timeline: timelineOf(deadline) }
}
afterEach(() => {
  for (const deadline of made.splice(0)) deadline.end()
  vi.useRealTimers()
})

describe('phases', () => {
  it('closes the most recent open phase of that name only: not another open one, not one already closed', () => {
    vi.useFakeTimers()
    const { timeline } = aTimeline()
    expect(timeline.currentPhase).toBeUndefined()
    timeline.enterPhase('outer')
    vi.advanceTimersByTime(10)
    timeline.enterPhase('inner')
    vi.advanceTimersByTime(10)
    timeline.exitPhase('outer')
    expect(timeline.currentPhase).toBe('inner')
    vi.advanceTimersByTime(10)
    timeline.exitPhase('outer') // closed already: nothing changes
    timeline.exitPhase('inner')
    expect(timeline.phases.map(({ name, durationMs }) => [name, durationMs])).toEqual([
      ['outer', 20],
      ['inner', 20],
    ])
    expect(timeline.currentPhase).toBeUndefined()
  })

  it('closes a phase entered again inside itself innermost first', () => {
    vi.useFakeTimers()
    const { timeline } = aTimeline()
    timeline.enterPhase('retry')
    vi.advanceTimersByTime(5)
    timeline.enterPhase('retry')
    vi.advanceTimersByTime(5)
    timeline.exitPhase('retry')
    vi.advanceTimersByTime(5)
    timeline.exitPhase('retry')
    expect(timeline.phases.map(({ durationMs }) => durationMs)).toEqual([15, 5])
  })
})

describe('onProgress', () => {
  it("tells each listener what changed: 'mark' for a mark, 'phase' as a phase opens and closes", () => {
    const { deadline, timeline } = aTimeline()
    const seen: string[] = []
    timeline.onProgress((_timeline, progress) => seen.push(progress))
    deadline.mark('loaded')
    timeline.enterPhase('handler')
    timeline.exitPhase('handler')
    expect(seen).toEqual(['mark', 'phase', 'phase'])
  })

  it('stops telling a listener taken back, whichever it was of several', () => {
    const { deadline, timeline } = aTimeline()
    const seen: string[] = []
    timeline.onProgress(() => seen.push('first'))
    timeline.onProgress(() => seen.push('second'))
    const takeBack = timeline.onProgress(() => seen.push('third'))
    takeBack()
    deadline.mark('m')
    expect(seen).toEqual(['first', 'second'])
  })
})

describe('the plugin and the request helpers where there is no deadline', () => {
  it('the hooks do nothing outside an invocation, and throw nothing', () => {
    const hooks = deadlinePlugin()
    expect(() => {
      hooks.beforeMiddleware('outside')
      hooks.afterMiddleware('outside')
      hooks.beforeHandler()
      hooks.afterHandler()
      hooks.requestEnd({})
    }).not.toThrow()
  })

  it('ending or releasing the deadline of a request that never had one does nothing', () => {
    const request = {}
    expect(() => {
      endDeadline(request)
      releaseDeadline(request, undefined)
    }).not.toThrow()
    expect(Object.getOwnPropertySymbols(request)).toEqual([])
  })

  it('a request whose context is not an object still gets its deadline (which knows no time)', () => {
    captureStderr() // the unknown deadline's warning
    for (const context of [undefined, 'context']) {
      const found = deadlineOf({ context } as never)
      made.push(found)
      expect(found.status).toBe('unknown')
    }
  })

  it('an outer onError runs after the deadline ended in ours, and the first error is kept through an error handler that replaces it', async () => {
    let firstError: unknown
    const handler = middy(
      async (_event: unknown, ctx: DeadlineContext) => {
        ctx.deadline.onEnd((ended) => {
          firstError = ended.firstError
        })
        throw new Error('raised by the handler')
      },
      { ...deadlinePlugin(), timeoutEarlyInMillis: 0 },
    )
      .use({
        onError: async function outerErrorHandler(request) {
          request.response = { statusCode: 500 }
        },
      })
      .use(deadline())
      .use({
        onError: async function replacesTheError(request) {
          // What @middy/http-error-handler does with an error it will not expose.
          request.error = { statusCode: 500, message: 'Internal Server Error' }
        },
      })
    await expect(handler({}, createLambdaContext())).resolves.toEqual({ statusCode: 500 })
    expect(firstError).toEqual(new Error('raised by the handler'))
  })

  it("the handler's context.deadline cannot be replaced by assignment", async () => {
    const handler = middy(async (_event: unknown, ctx: DeadlineContext) => {
      const own = ctx.deadline
      let replaced = true
      try {
        ;(ctx as { deadline: unknown }).deadline = 'something else'
      } catch (error) {
        replaced = !(error instanceof TypeError)
      }
      return { replaced, same: ctx.deadline === own }
    }).use(deadline())
    expect(await handler({}, createLambdaContext<DeadlineContext>())).toEqual({ replaced: false, same: true })
  })
})
