import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { bundleFixture, fixtureFolder } from '../../graceful-timeout/test/child.js'

// Only a fresh process shows the first invocation of a process: in this one an AsyncLocalStorage
// of ours may already be enabled by an earlier test.
const folder = fixtureFolder('deadline-first-')
afterAll(folder.remove)
let bundle: string
beforeAll(async () => {
  bundle = await bundleFixture(new URL('./fixtures/first-invocation.ts', import.meta.url), join(folder.path, 'first-invocation.mjs'))
})

it.each([
  ['invokeWithTimeout', { status: 'succeeded', response: 'first' }],
  ['a batch handler called without Middy', { batchItemFailures: [] }],
])(
  "the first invocation of a process through %s, started inside a promise job, leaves nothing in the caller's async context",
  (entry, outcome) => {
    const child = spawnSync(process.execPath, [bundle, entry.startsWith('invoke') ? 'invokeWithTimeout' : 'batch'], { encoding: 'utf8' })
    expect(child.status).toBe(0)
    expect(JSON.parse(child.stdout)).toEqual({ outcome: expect.objectContaining(outcome) })
  },
)
