import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { expect, it } from 'vitest'

it('leaves the main entry one module when built with /durable (no chunk shared with it to load as well)', async () => {
  // As scripts/build.mjs builds the package: one entry point per exports entry, shared code split out.
  const result = await build({
    entryPoints: ['index', 'durable'].map((entry) => fileURLToPath(new URL(`../src/${entry}.ts`, import.meta.url))),
    outdir: join(tmpdir(), 'budget-entries'),
    bundle: true,
    splitting: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  })
  expect(result.outputFiles.map((file) => file.path.split('/').pop())).toEqual(['index.js', 'durable.js'])
})
