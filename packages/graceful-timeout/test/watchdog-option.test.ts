import middy from '@middy/core'
import type { Deadline } from '@middy-deadline/deadline'
import { gracefulTimeout, type TimeoutWatchdog } from '@middy-deadline/graceful-timeout'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'
import { captureStdout, overrunsHonouringSignal } from './capture.js'

// The option's contract with any watchdog (ours is tested through a child process in watchdog.test.ts).
// A 700 ms reserve in a 1 s function: the cutoff comes 300 ms in, and the answer still comes before
// the hard deadline with the event loop up to 700 ms late (with 100 of 400 ms, an event loop 100 ms
// late at load 8-12 made an invocation `killed`, though the watchdog's contract held).
describe('the watchdog option', () => {
  it('is prepared when the middleware is created, has each invocation watched from its start and acknowledged at the cutoff; no second record when the watchdog wrote first', async () => {
    const calls: string[] = []
    let watchdogWroteFirst = false
    // Each call noted with the number of arguments it got: none for `prepare` and `acknowledge`,
    // the deadline alone for `watch`, as the option's type declares them.
    const recording: TimeoutWatchdog = {
      prepare: (...args: unknown[]) => calls.push(`prepare (${args.length})`),
      watch: (...args: unknown[]) => {
        const deadline = args[0] as Deadline
        calls.push(`watch ${deadline.requestId} (${args.length})`)
        return {
          acknowledge: (...args: unknown[]) => {
            calls.push(`acknowledge ${deadline.requestId} (${args.length})`)
            return !watchdogWroteFirst
          },
        }
      },
    }
    const graceful = gracefulTimeout({ reserveMs: 700, watchdog: recording, timeoutResponse: () => 'timed out' })
    const capture = captureStdout()
    try {
      await invokeWithTimeout(middy(overrunsHonouringSignal).use(graceful), {}, { timeoutMs: 1000, awsRequestId: 'req-main' })
      watchdogWroteFirst = true
      await invokeWithTimeout(middy(overrunsHonouringSignal).use(graceful), {}, { timeoutMs: 1000, awsRequestId: 'req-late' })
      await invokeWithTimeout(middy(async () => 'done').use(graceful), {}, { timeoutMs: 1000, awsRequestId: 'req-quick' })
    } finally {
      capture.restore()
    }
    // Prepared once, when the middleware was created (on Lambda: during init, before a cold start's first invocation).
    expect(calls).toEqual([
      'prepare (0)',
      'watch req-main (1)',
      'acknowledge req-main (0)',
      'watch req-late (1)',
      'acknowledge req-late (0)',
      'watch req-quick (1)',
    ])
    expect(capture.records().map((record) => record.requestId)).toEqual(['req-main'])
  })

  // No retry (mutation runs retry failing tests): a warning is said once per failure and process,
  // so a second attempt would not see the one the first attempt used up.
  it('takes a watchdog of yours without `prepare`: each invocation is watched from its start, and the record written once', {
    retry: 0,
  }, async () => {
    const watched: string[] = []
    const yours: TimeoutWatchdog = {
      watch: (deadline) => {
        watched.push(deadline.requestId)
        return { acknowledge: () => true }
      },
    }
    const stderr = captureStderr()
    const graceful = gracefulTimeout({ reserveMs: 700, watchdog: yours, timeoutResponse: () => 'timed out' })
    const capture = captureStdout()
    try {
      const outcome = await invokeWithTimeout(
        middy(overrunsHonouringSignal).use(graceful),
        {},
        { timeoutMs: 1000, awsRequestId: 'req-yours' },
      )
      expect(outcome).toMatchObject({ status: 'succeeded', response: 'timed out' })
    } finally {
      capture.restore()
    }
    expect(watched).toEqual(['req-yours'])
    expect(capture.records().map((record) => record.requestId)).toEqual(['req-yours'])
    // Nothing to prepare is no failure.
    expect(stderr.chunks).toEqual([])
  })

  // No retry, as above.
  it('takes a watchdog whose watch gives nothing to acknowledge: the record is written, and nothing is said', { retry: 0 }, async () => {
    const stderr = captureStderr()
    const capture = captureStdout()
    try {
      // Nothing, or (from JavaScript) an object without `acknowledge`.
      for (const watched of [undefined, {}]) {
        const graceful = gracefulTimeout({ reserveMs: 700, watchdog: { prepare: () => {}, watch: () => watched as undefined } })
        await invokeWithTimeout(
          middy(overrunsHonouringSignal).use(graceful),
          {},
          { timeoutMs: 1000, awsRequestId: `req-${typeof watched}` },
        )
      }
    } finally {
      capture.restore()
    }
    expect(capture.records().map((record) => record.requestId)).toEqual(['req-undefined', 'req-object'])
    expect(stderr.chunks).toEqual([])
  })

  it('leaves an invocation unwatched when a watchdog of yours fails, says so once per failure, and the invocation still ends with its record', async () => {
    const stderr = captureStderr()
    const capture = captureStdout()
    const failing: TimeoutWatchdog = {
      prepare: () => {
        throw new Error('no thread for you')
      },
      watch: (deadline) => {
        if (deadline.requestId === 'req-watch') throw new Error('watch failed')
        return {
          acknowledge: () => {
            throw new Error('acknowledge failed')
          },
        }
      },
    }
    try {
      const graceful = gracefulTimeout({ reserveMs: 700, watchdog: failing, timeoutResponse: () => 'timed out' })
      for (const requestId of ['req-watch', 'req-acknowledge', 'req-acknowledge-again']) {
        const outcome = await invokeWithTimeout(
          middy(overrunsHonouringSignal).use(graceful),
          {},
          { timeoutMs: 1000, awsRequestId: requestId },
        )
        expect(outcome).toMatchObject({ status: 'succeeded', response: 'timed out' })
      }
    } finally {
      capture.restore()
    }
    // An acknowledgement that fails counts as none: the record is written rather than lost.
    expect(capture.records().map((record) => record.requestId)).toEqual(['req-watch', 'req-acknowledge', 'req-acknowledge-again'])
    expect(stderr.lines()).toEqual(
      ['Error: no thread for you', 'Error: watch failed', 'Error: acknowledge failed'].map((error) => ({
        level: 'WARN',
        package: '@middy-deadline/graceful-timeout',
        message: 'the watchdog failed; invocations go unwatched',
        error,
      })),
    )
  })
})
