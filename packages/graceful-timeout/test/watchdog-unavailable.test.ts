import middy from '@middy/core'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import { createLambdaContext } from '@middy-deadline/testing'
import { expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// A file of its own: once its thread could not start, the watchdog stays off for the process.
it('where Node has no process.getBuiltinModule (before 22.3), the watchdog says once that it could not start, and invocations run unwatched', async () => {
  const getBuiltinModule = process.getBuiltinModule
  const stderr = captureStderr()
  Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true, writable: true })
  try {
    const handler = middy(async () => 'done').use(gracefulTimeout({ reserveMs: 100, watchdog }))
    const answers = [
      await handler({}, createLambdaContext({ timeoutMs: 2000 })),
      await handler({}, createLambdaContext({ timeoutMs: 2000 })),
    ]
    expect(answers).toEqual(['done', 'done'])
    // (The deadline says its own: currentDeadline() needs Node >= 22.3 outside Lambda.)
    expect(stderr.lines().filter((line) => String(line.message).includes('watchdog'))).toEqual([
      {
        level: 'WARN',
        package: '@middy-deadline/graceful-timeout',
        message: 'the watchdog thread could not start; invocations are not watched',
        error: expect.stringMatching(/^TypeError: /),
      },
    ])
  } finally {
    Object.defineProperty(process, 'getBuiltinModule', { value: getBuiltinModule, configurable: true, writable: true })
  }
})
