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
    alias: Object.fromEntries(OURS.map((name) => [`@middy-deadline/${name}`, srcEntry(name)])),
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  return { code, minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length }
}

/** Peers every package of ours leaves to the user: Middy and the optional integrations. */
export const PEERS = ['@middy/core', '@aws-lambda-powertools/*', '@aws/durable-execution-sdk-js', '@smithy/*', '@aws-sdk/*']
