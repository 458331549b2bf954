// Builds every package's JavaScript as a few ES modules instead of one module per source file:
// Node resolves, reads and compiles each module at cold start, and measured here that is most of
// the import time (docs/performance.md: all four packages 20 ms as one module per file, 2.5–3.6 ms
// bundled). tsc still writes the `.d.ts` files (emitDeclarationOnly); esbuild writes the `.js`.
// Each entry of a package's exports map is an entry point; code they share goes into a chunk, so a
// class (an error users match with instanceof) exists once per package. A package's `bin` entries
// are built apart, each as one file (a command's start-up, not a shared module), and a package with
// its own scripts/vendor.mjs runs it last (report: copies its chart library into dist/vendor).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

const root = new URL('../packages/', import.meta.url)

for (const name of readdirSync(root)) {
  const dir = new URL(`${name}/`, root)
  const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'))
  const entryPoints = Object.values(manifest.exports).map(
    (target) => new URL(target.import.replace('./dist/', './src/').replace(/\.js$/, '.ts'), dir).pathname,
  )
  // Chunks are named by content hash: without this, a chunk no entry imports any more stays in dist.
  rmSync(new URL('dist/chunks/', dir), { recursive: true, force: true })
  await build({
    entryPoints,
    outdir: new URL('dist/', dir).pathname,
    outbase: new URL('src/', dir).pathname,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // Peers, optional peers and our own packages stay imports: one copy each in the user's tree.
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  })
  for (const target of Object.values(manifest.bin ?? {})) {
    await build({
      entryPoints: [new URL(target.replace('./dist/', './src/').replace(/\.js$/, '.ts'), dir).pathname],
      outfile: new URL(target, dir).pathname,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
    })
  }
  const vendor = new URL('scripts/vendor.mjs', dir)
  if (existsSync(vendor)) execFileSync(process.execPath, [vendor.pathname], { stdio: 'inherit' })
}
