import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { OURS, ROOT, srcSubpath } from './packages.mjs'

/**
 * Bundles `contents` (an entry module's source) the way a user's build would for Lambda: esbuild,
 * ESM, Node 22, minified; returns the minified and gzipped sizes. Our packages resolve to their
 * TypeScript sources, so the result does not depend on a stale build.
 */
export async function bundleSize(contents, { external = [], minify = true } = {}) {
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
  })
  const code = result.outputFiles[0].contents
  const inputs = Object.values(result.metafile.outputs)[0].inputs
  const byInput = Object.fromEntries(Object.entries(inputs).map(([path, { bytesInOutput }]) => [path, bytesInOutput]))
  return { code, minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, byInput }
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
