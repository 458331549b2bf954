import middy from '@middy/core'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'
import { describe, expect, it } from 'vitest'
import { captureStdout } from '../../packages/graceful-timeout/test/capture.js'

const ISO_UTC_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

describe('the two records of a timed-out invocation on stdout', () => {
  it('open alike: timestamp (ISO 8601, UTC, ms), level, message, each stamped when it was written', async () => {
    const graceful = gracefulTimeout({ reserveMs: 200 })
    const handler = middy(() => new Promise(() => {}), graceful.plugin)
      .use(timingLogger())
      .use(graceful)
    const stdout = captureStdout()
    const before = Date.now()
    await invokeWithTimeout(handler, {}, { timeoutMs: 500 })
    const after = Date.now()
    stdout.restore()

    const timeout = stdout.records()[0]
    const timing = stdout.lines().find((line) => 'outcome' in line)
    expect(timing).toMatchObject({ outcome: 'timeout' })
    for (const record of [timeout, timing]) {
      expect(Object.keys(record ?? {}).slice(0, 3)).toEqual(['timestamp', 'level', 'message'])
      expect(record?.timestamp).toMatch(ISO_UTC_MS)
      expect(Date.parse(String(record?.timestamp))).toBeGreaterThanOrEqual(before)
      expect(Date.parse(String(record?.timestamp))).toBeLessThanOrEqual(after)
    }
    // The timeout record is written at the cutoff, the timing record when the invocation ends.
    expect(Date.parse(String(timeout?.timestamp))).toBeLessThanOrEqual(Date.parse(String(timing?.timestamp)))
  })
})
