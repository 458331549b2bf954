import middy from '@middy/core'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import { createLambdaContext } from '@middy-deadline/testing'
import { expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// A file of its own: the warning that the slots are full is said once per process, and
// watchdog-slots.test.ts says it on purpose.
// No retry (mutation runs retry failing tests): a second attempt would not see the warning the
// first one used up.
it('gives a slot back when its invocation ends: one invocation after another, far more than 64, are all watched', {
  retry: 0,
}, async () => {
  const handler = middy(async () => 'done').use(gracefulTimeout({ reserveMs: 100, watchdog }))
  const stderr = captureStderr()
  for (let i = 0; i < 70; i++) {
    // Far from their hard deadline when they end: no slot of theirs could be taken over.
    expect(await handler({}, createLambdaContext({ timeoutMs: 60_000, awsRequestId: `req-seq-${i}` }))).toBe('done')
  }
  expect(stderr.lines().filter((line) => String(line.message).includes('invocations at once'))).toEqual([])
})
