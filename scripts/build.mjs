// Builds every package's JavaScript as a few ES modules instead of one module per source file:
// Node resolves, reads and compiles each module at cold start, and measured here that is most of
// the import time (docs/performance.md, "What was changed"). tsc still writes the `.d.ts` files (emitDeclarationOnly); esbuild writes the `.js`.
// Each entry of a package's exports map is an entry point (scripts/entries.ts: how entries share
// code). A package's `bin` entries are built apart, each as one file (a command's start-up, not a
// shared module), and a package with its own scripts/vendor.mjs runs it last (report: copies its
// chart library into dist/vendor).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { entryBuildOptions, nodeModuleOptions, packagesDir, sourceOf } from './entries.ts'

for (const name of readdirSync(packagesDir)) {
  const packageDir = join(packagesDir, name)
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))
  // Chunks are named by content hash: without this, a chunk no entry imports any more stays in dist.
  rmSync(join(packageDir, 'dist/chunks'), { recursive: true, force: true })
  // Declaration maps point into src/, which is not published: none is emitted (tsconfig.base.json),
  // and one left in dist by an older build would be packed.
  const dist = join(packageDir, 'dist')
  if (existsSync(dist)) {
    for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) if (file.endsWith('.d.ts.map')) rmSync(join(dist, file))
  }
  await build({ ...entryBuildOptions(packageDir), outdir: join(packageDir, 'dist'), sourcemap: true })
  for (const target of Object.values(manifest.bin ?? {})) {
    await build({ ...nodeModuleOptions, entryPoints: [sourceOf(packageDir, target)], outfile: join(packageDir, target), sourcemap: true })
  }
  const vendor = join(packageDir, 'scripts/vendor.mjs')
  if (existsSync(vendor)) execFileSync(process.execPath, [vendor], { stdio: 'inherit' })
}
