// A package's export entries as esbuild builds them: shared by scripts/build.mjs and the test that
// checks what each built entry loads (test/build/entries.test.ts), so that the two cannot drift.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BuildOptions, Plugin } from 'esbuild'

interface Manifest {
  exports: Record<string, { import: string }>
}

/** The source a built file of `packageDir` comes from: `./dist/x.js` is built from `./src/x.ts`. */
export function sourceOf(packageDir: string, target: string): string {
  return join(packageDir, target.replace('./dist/', './src/').replace(/\.js$/, '.ts'))
}

/** The source file of each entry of `packageDir`'s exports map. */
export function entryPointsOf(packageDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Manifest
  return Object.values(manifest.exports).map((target) => sourceOf(packageDir, target.import))
}

/** What every build of a package's code shares: one ES module for Node 22, peers and our packages left as imports. */
export const nodeModuleOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Peers, optional peers and our own packages stay imports: one copy each in the user's tree.
  packages: 'external',
  logLevel: 'warning',
} as const satisfies BuildOptions

/**
 * esbuild's options for a package's entries: one ES module per entry. Code two entries share goes
 * into a chunk (so a class users match with `instanceof` exists once), except where an entry
 * imports another entry: that import stays an import of the other entry's built file. This is how
 * deadline's public index re-exports ./internal.js without either of them loading a chunk.
 */
export function entryBuildOptions(packageDir: string): BuildOptions {
  const entryPoints = entryPointsOf(packageDir)
  return {
    ...nodeModuleOptions,
    entryPoints,
    outbase: join(packageDir, 'src'),
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [entriesApart(entryPoints)],
  }
}

function entriesApart(entryPoints: readonly string[]): Plugin {
  return {
    name: 'entries-apart',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!entryPoints.includes(args.importer)) return undefined
        const target = join(dirname(args.importer), args.path.replace(/\.js$/, '.ts'))
        // Entries are built side by side as the sources lie (outbase src), so the path still holds.
        return entryPoints.includes(target) && target !== args.importer ? { path: args.path, external: true } : undefined
      })
    },
  }
}

export const packagesDir = fileURLToPath(new URL('../packages/', import.meta.url))
