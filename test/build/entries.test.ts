import { readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

// A main entry that shares a module with one of its package's subpaths gets that module split into
// a chunk, which every user of the main entry then loads as a second module (~0.3 ms at import).
// outbound-fetch-timeout shares its error class with /aws-sdk on purpose: it must stay one class
// for `instanceof` (docs/performance.md).
const SHARES_ON_PURPOSE = ['outbound-fetch-timeout']

const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url))
const withSubpaths = readdirSync(packagesDir).filter((name) => {
  const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8'))
  return Object.keys(manifest.exports).length > 1
})

describe('each package built as scripts/build.mjs builds it', () => {
  it.each(withSubpaths)('%s: the main entry is one module unless it shares on purpose', async (name) => {
    const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8'))
    const entries = Object.values(manifest.exports as Record<string, { import: string }>).map((target) =>
      join(packagesDir, name, target.import.replace('./dist/', './src/').replace(/\.js$/, '.ts')),
    )
    const result = await build({
      entryPoints: entries,
      outdir: join(tmpdir(), `entries-${name}`),
      bundle: true,
      splitting: true,
      write: false,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    })
    const main = result.outputFiles.find((file) => file.path.endsWith('/index.js'))
    expect(main?.text).toContain('export {')
    expect(/from "\.\/chunk-/.test(main?.text ?? '')).toBe(SHARES_ON_PURPOSE.includes(name))
  })
})
