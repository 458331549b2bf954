import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { entryBuildOptions, entryPointsOf, packagesDir } from '../../scripts/entries.ts'

// A main entry that shares a module with one of its package's subpaths gets that module split into
// a chunk, which every user of the main entry then loads as a second module (docs/performance.md,
// "Speed tricks").
// outbound-fetch-timeout shares its error class with /aws-sdk on purpose: it must stay one class
// for `instanceof` (docs/performance.md).
const SHARES_ON_PURPOSE = ['outbound-fetch-timeout']

const names = readdirSync(packagesDir)
const withSubpaths = names.filter((name) => entryPointsOf(join(packagesDir, name)).length > 1)

async function built(name: string) {
  const result = await build({ ...entryBuildOptions(join(packagesDir, name)), outdir: join(tmpdir(), `entries-${name}`), write: false })
  return result.outputFiles.filter((file) => file.path.endsWith('.js'))
}

describe('each package built as scripts/build.mjs builds it', () => {
  it.each(withSubpaths)('%s: the main entry is one module unless it shares on purpose', async (name) => {
    const main = (await built(name)).find((file) => file.path.endsWith('/index.js'))
    expect(main?.text).toContain('export {')
    expect(/from "\.\/chunks\//.test(main?.text ?? '')).toBe(SHARES_ON_PURPOSE.includes(name))
  })

  it('deadline: the public entry only re-exports the internal one, which holds everything and loads no chunk', async () => {
    const files = await built('deadline')
    expect(files.map((file) => file.path.slice(file.path.lastIndexOf('/') + 1)).sort()).toEqual(['index.js', 'internal.js'])
    const main = files.find((file) => file.path.endsWith('/index.js'))?.text ?? ''
    expect([...main.matchAll(/from "([^"]+)"/g)].map((match) => match[1])).toEqual(['./internal.js'])
    expect(main).not.toMatch(/\bclass\b|\bfunction\b/)
  })

  // Our packages import deadline's implementation entry only: a process that loads them then loads
  // one module of deadline, not also the public entry that re-exports it.
  it.each(names.filter((name) => name !== 'deadline'))(
    '%s loads @middy-deadline/deadline/internal, never the public entry',
    async (name) => {
      for (const file of await built(name)) {
        const message = `${file.path}: import from '@middy-deadline/deadline/internal' in packages/*/src`
        expect(file.text, message).not.toMatch(/from "@middy-deadline\/deadline"/)
        expect(file.text, message).not.toMatch(/import\("@middy-deadline\/deadline"\)/)
      }
    },
  )
})
