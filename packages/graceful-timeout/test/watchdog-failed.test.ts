import middy from '@middy/core'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import { createLambdaContext } from '@middy-deadline/testing'
import { expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// A file of its own: once its thread has failed, the watchdog stays off for the process.
it('when its thread fails (Node could not run it), the watchdog says so once, starts no other thread, and invocations still answer', async () => {
  const getBuiltinModule = process.getBuiltinModule
  const { Worker } = getBuiltinModule('node:worker_threads')
  let started = 0
  let failed: () => void = () => {}
  const threadFailed = new Promise<void>((resolve) => {
    failed = resolve
  })
  // A thread that dies as it starts, as one that runs out of memory would.
  class DyingWorker extends Worker {
    constructor(_source: string, options: ConstructorParameters<typeof Worker>[1]) {
      super("throw new Error('thread out of memory')", { ...options, eval: true })
      started++
      this.once('error', () => failed())
    }
  }
  const stderr = captureStderr()
  Object.defineProperty(process, 'getBuiltinModule', {
    value: (id: string) => (id === 'node:worker_threads' ? { Worker: DyingWorker } : getBuiltinModule(id as 'node:fs')),
    configurable: true,
    writable: true,
  })
  try {
    const handler = middy(async () => 'done').use(gracefulTimeout({ reserveMs: 100, watchdog }))
    await threadFailed
    const answers = [await handler({}, createLambdaContext({ timeoutMs: 2000 }))]
    // Another middleware given the same watchdog, later: no second thread.
    answers.push(
      await middy(async () => 'done').use(gracefulTimeout({ reserveMs: 100, watchdog }))({}, createLambdaContext({ timeoutMs: 2000 })),
    )
    expect(answers).toEqual(['done', 'done'])
    expect(started).toBe(1)
    expect(stderr.lines().filter((line) => String(line.message).includes('watchdog'))).toEqual([
      {
        level: 'WARN',
        package: '@middy-deadline/graceful-timeout',
        message: 'the watchdog thread failed; invocations are no longer watched',
        error: 'Error: thread out of memory',
      },
    ])
  } finally {
    Object.defineProperty(process, 'getBuiltinModule', { value: getBuiltinModule, configurable: true, writable: true })
  }
})
