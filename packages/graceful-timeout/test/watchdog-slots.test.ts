import middy from '@middy/core'
import type { DeadlineContext } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

describe('the watchdog’s slots', () => {
  it('watches 64 invocations at once; from the 65th on they run unwatched, said once; an invocation whose deadline enforces nothing takes no slot', async () => {
    const graceful = gracefulTimeout({ reserveMs: 100, watchdog })
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    // Each handler says when it is in, past every `before` (where a slot is taken or refused).
    let inHandler = 0
    let waiting: { count: number; resolve: () => void } | undefined
    const handlersIn = (count: number) =>
      new Promise<void>((resolve) => {
        if (inHandler >= count) resolve()
        else waiting = { count, resolve }
      })
    const handler = middy(async (_event: unknown, context: DeadlineContext) => {
      inHandler++
      if (waiting !== undefined && inHandler >= waiting.count) waiting.resolve()
      await gate
      return context.deadline.status
    }).use(graceful)
    const stderr = captureStderr()
    const run = (count: number, options: { unknownTime?: boolean } = {}) =>
      Array.from({ length: count }, (_, i) => {
        const context = createLambdaContext<DeadlineContext>({ timeoutMs: 10_000, awsRequestId: `req-${i}` })
        if (options.unknownTime) Object.defineProperty(context, 'getRemainingTimeInMillis', { value: undefined })
        return handler({}, context)
      })

    // 64 that the watchdog watches, and more whose deadline enforces nothing: all slots, no warning.
    const first = [...run(64), ...run(10, { unknownTime: true })]
    await handlersIn(74)
    const fullWarnings = () => stderr.lines().filter((line) => String(line.message).startsWith('more than 64 invocations at once'))
    expect(fullWarnings()).toEqual([])
    // Two more while all 64 slots are taken: unwatched, and one warning for both.
    const extra = run(2)
    await handlersIn(76)
    expect(fullWarnings()).toEqual([
      {
        level: 'WARN',
        package: '@middy-deadline/graceful-timeout',
        message: 'more than 64 invocations at once: the extra ones are not watched',
      },
    ])
    release()
    const statuses = await Promise.all([...first, ...extra])
    expect(statuses.filter((status) => status === 'running')).toHaveLength(66)
    expect(statuses.filter((status) => status === 'unknown')).toHaveLength(10)
  })
})
