import { Deadline } from '@middy-deadline/deadline'
import { reachCutoff, timelineOf } from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// A file of its own, and a single test: a listener's failure is written once per process, so a
// test of "nothing written" must be the first in its process to run listeners, and a retry would
// not see the line again.
it('listeners that do their job (cutoff, end, progress) run in order and write nothing to stderr', { retry: 0 }, () => {
  const stderr = captureStderr()
  const deadline = new Deadline({ context: createLambdaContext({ timeoutMs: 10_000 }) })
  const seen: string[] = []
  timelineOf(deadline).onProgress((_timeline, progress) => seen.push(progress))
  deadline.onCutoff(() => seen.push('cutoff'))
  deadline.onEnd(() => seen.push('end'))
  deadline.mark('working')
  reachCutoff(deadline)
  deadline.end()
  expect(seen).toEqual(['mark', 'cutoff', 'end'])
  expect(stderr.chunks).toEqual([])
})
