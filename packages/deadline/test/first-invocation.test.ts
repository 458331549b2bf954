import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { bundleFunction } from '../../../test/e2e/harness/bundle.js'

// Only a fresh process shows the first invocation of a process: in this one an AsyncLocalStorage
// of ours may already be enabled by an earlier test.
let bundle: string | undefined
const fixture = async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'deadline-first-'))
  bundle ??= join(await bundleFunction(fileURLToPath(new URL('./fixtures/first-invocation.ts', import.meta.url)), { outdir }), 'index.mjs')
  return bundle
}

it.each([
  ['invokeWithTimeout', { status: 'succeeded', response: 'first' }],
  ['a batch handler called without Middy', { batchItemFailures: [] }],
])(
  "the first invocation of a process through %s, started inside a promise job, leaves nothing in the caller's async context",
  async (entry, outcome) => {
    const child = spawnSync(process.execPath, [await fixture(), entry.startsWith('invoke') ? 'invokeWithTimeout' : 'batch'], {
      encoding: 'utf8',
    })
    expect(child.status).toBe(0)
    expect(JSON.parse(child.stdout)).toEqual({ outcome: expect.objectContaining(outcome) })
  },
)
