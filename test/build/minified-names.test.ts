import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createLambdaContext } from '@middy-deadline/testing'
import { expect, it, onTestFinished } from 'vitest'
// @ts-expect-error: the bench's helpers are plain JavaScript modules without declarations
import { bundleSize } from '../../bench/lib/bundle.mjs'
// @ts-expect-error: likewise
import { HANDLER_ALL_FOUR } from '../../bench/lib/sizes.mjs'
import { captureStdout } from '../support/output.js'

// A minifier renames the variables that hold our middleware functions (esbuild's `minify` without
// `keepNames`, as SAM's esbuild builds do), and Middy's plugin hooks see only the functions' names:
// the timing record's phases must still carry the names docs/timing-logger.md documents.
async function bundledReadmeHandler(): Promise<(event: unknown, context: unknown) => Promise<unknown>> {
  const { code } = await bundleSize(HANDLER_ALL_FOUR, { external: [] })
  const dir = mkdtempSync(join(tmpdir(), 'minified-names-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'handler.mjs')
  writeFileSync(file, code)
  return (await import(pathToFileURL(file).href)).handler
}

/** The phase names of the one timing record the invocation writes. */
async function phaseNames(invoke: () => Promise<unknown>): Promise<string[]> {
  const stdout = captureStdout()
  await invoke().catch(() => {})
  stdout.restore()
  const records = stdout.lines().filter((line) => Array.isArray(line.phases))
  expect(records).toHaveLength(1)
  const [record] = records as { phases: { name: string }[] }[]
  return record ? record.phases.map((phase) => phase.name) : []
}

it("the README's handler, bundled minified: the timing record's phases keep our middlewares' names", async () => {
  const handler = await bundledReadmeHandler()
  const context = () => createLambdaContext({ timeoutMs: 10_000 })

  expect(await phaseNames(() => handler({}, context()))).toEqual([
    'timingLoggerBefore',
    'gracefulTimeoutBefore',
    'outboundFetchTimeoutBefore',
    'remainingTimeBudgetBefore',
    'handler',
    'remainingTimeBudgetAfter',
    'outboundFetchTimeoutAfter',
    'gracefulTimeoutAfter',
    'timingLoggerAfter',
  ])
  // `ids` that is not a list makes the handler throw: the `onError`s keep their names too.
  expect(await phaseNames(() => handler({ ids: 5 }, context()))).toEqual([
    'timingLoggerBefore',
    'gracefulTimeoutBefore',
    'outboundFetchTimeoutBefore',
    'remainingTimeBudgetBefore',
    'handler',
    'remainingTimeBudgetOnError',
    'outboundFetchTimeoutOnError',
    'gracefulTimeoutOnError',
    'timingLoggerOnError',
  ])
})
