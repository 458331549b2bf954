import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { OURS, ROOT, srcSubpath } from './packages.mjs'

/**
 * Bundles `contents` (an entry module's source) the way a user's build would for Lambda: esbuild,
 * ESM, Node 22, minified; returns the minified and gzipped sizes. Our packages resolve to their
 * TypeScript sources, so the result does not depend on a stale build.
 */
export async function bundleSize(contents, { external = [], minify = true, sourcemap = false } = {}) {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    write: false,
    minify,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    legalComments: 'none',
    external,
    plugins: [ourSources(external)],
    logLevel: 'silent',
    metafile: true,
    // The map goes beside the code (never into it, which would change the size); nothing is written.
    ...(sourcemap ? { sourcemap: 'external', outdir: `${ROOT}bench/.out/bundle` } : {}),
  })
  const output = result.outputFiles.find((file) => !file.path.endsWith('.map'))
  const code = output.contents
  const inputs = Object.entries(result.metafile.outputs).find(([path]) => !path.endsWith('.map'))[1].inputs
  const byInput = Object.fromEntries(Object.entries(inputs).map(([path, { bytesInOutput }]) => [path, bytesInOutput]))
  const map = result.outputFiles.find((file) => file.path.endsWith('.map'))
  return {
    code,
    minBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    byInput,
    ...(map === undefined ? {} : { map: JSON.parse(map.text) }),
  }
}

/** Peers every package of ours leaves to the user: Middy and the optional integrations. */
export const PEERS = ['@middy/core', '@aws-lambda-powertools/*', '@aws/durable-execution-sdk-js', '@smithy/*', '@aws-sdk/*']

/**
 * `@middy-deadline/<name>[/<subpath>]` → that package's TypeScript source, unless the package is
 * left external (an alias would not do: esbuild appends a subpath to an aliased file's path).
 */
function ourSources(external) {
  return {
    name: 'our-sources',
    setup(build) {
      build.onResolve({ filter: /^@middy-deadline\// }, ({ path }) => {
        const [, name, subpath] = /^@middy-deadline\/([^/]+)(?:\/(.+))?$/.exec(path) ?? []
        if (!OURS.includes(name) || external.includes(`@middy-deadline/${name}`)) return undefined
        return { path: srcSubpath(name, subpath) }
      })
    },
  }
}
