import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { bundleFunction } from '../../../test/e2e/harness/bundle.js'

// Only a fresh process shows the first invocation of a process: in this one an AsyncLocalStorage
// of ours may already be enabled by an earlier test.
it("the first invocation of a process, started inside a promise job, leaves nothing in the caller's async context", async () => {
  const outdir = await bundleFunction(fileURLToPath(new URL('./fixtures/first-invocation.ts', import.meta.url)), {
    outdir: mkdtempSync(join(tmpdir(), 'deadline-first-')),
  })
  const child = spawnSync(process.execPath, [join(outdir, 'index.mjs')], { encoding: 'utf8' })
  expect(child.status).toBe(0)
  expect(JSON.parse(child.stdout)).toEqual({ invocation: 'first' })
})
