import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { OURS, ROOT, srcEntry } from './packages.mjs'

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
    // A package left external must not be aliased: esbuild would follow the alias and bundle it.
    alias: Object.fromEntries(
      OURS.filter((name) => !external.includes(`@middy-deadline/${name}`)).map((name) => [`@middy-deadline/${name}`, srcEntry(name)]),
    ),
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
