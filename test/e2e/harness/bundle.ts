import { existsSync } from 'node:fs'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

export interface BundleOptions {
  /** Output directory (the function's LAMBDA_TASK_ROOT). Default `test/e2e/.build/<entry name>`. */
  outdir?: string
  /** Resolve `@middy-deadline/*` to this repository's sources (default true when they exist). */
  workspaceSources?: boolean
}

/** The repository root: the nearest directory above this file with a pnpm-workspace.yaml. */
export const repoRoot = findUp(dirname(fileURLToPath(import.meta.url)), 'pnpm-workspace.yaml') ?? process.cwd()

/**
 * Bundles a handler the way functions are usually deployed (esbuild, one ESM file for Node 22)
 * into `<outdir>/index.mjs`, so the handler string is `index.<export>`. Returns `outdir`.
 *
 * Our own packages are bundled from their TypeScript sources, as the unit tests import them: the
 * e2e run then needs no build step and always tests the code in the working tree. esbuild
 * compiles it exactly as it compiles any dependency; what differs from a published package is
 * only where the files come from.
 */
export async function bundleFunction(entry: string, options: BundleOptions = {}): Promise<string> {
  const outdir = options.outdir ?? join(repoRoot, 'test/e2e/.build', basename(entry, extname(entry)))
  await build({
    entryPoints: [resolve(entry)],
    outfile: join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // CommonJS dependencies inside an ESM bundle still call require() for Node's built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: options.workspaceSources === false ? [] : [workspaceSources()],
    logLevel: 'warning',
  })
  return outdir
}

/**
 * `@middy-deadline/<name>[/<subpath>]` → `packages/<name>/src/<subpath or index>.ts`. Also used by
 * the unit tests' fixtures that run in a child process (packages/graceful-timeout/test/child.ts).
 */
export function workspaceSources(): Plugin {
  return {
    name: 'middy-deadline-workspace-sources',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^@middy-deadline\/[^/]+(\/.+)?$/ }, (args) => {
        const [, name, subpath] = /^@middy-deadline\/([^/]+)(?:\/(.+))?$/.exec(args.path) as RegExpExecArray
        const file = join(repoRoot, 'packages', name as string, 'src', `${subpath ?? 'index'}.ts`)
        return existsSync(file) ? { path: file } : undefined
      })
    },
  }
}

function findUp(from: string, marker: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, marker))) return dir
    if (dirname(dir) === dir) return undefined
  }
}
