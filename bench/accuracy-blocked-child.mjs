// Cutoff handling when the event loop is blocked: the handler runs a synchronous loop past its
// cutoff. Prints a `plan` line per invocation; with `watchdog`, graceful-timeout's watchdog thread
// writes its record on this process's stdout while the main thread is still blocked, and the
// parent (bench/accuracy.mjs) timestamps each line as it arrives.
// Usage: node bench/accuracy-blocked-child.mjs <watchdog|no-watchdog> <invocations>
import { distEntry } from './lib/packages.mjs'

const [mode, countArg] = process.argv.slice(2)
const TIMEOUT_MS = 100
const RESERVE_MS = 50
const BLOCK_UNTIL_MS = 95

const middy = (await import('@middy/core')).default
const { gracefulTimeout } = await import(distEntry('graceful-timeout'))
const watchdog = mode === 'watchdog' ? (await import('../packages/graceful-timeout/dist/watchdog.js')).watchdog : undefined
const { createLambdaContext } = await import('../packages/testing/dist/index.js')
const logger = { error: () => {}, warn: () => {} }
const graceful = gracefulTimeout({ reserveMs: RESERVE_MS, logger, watchdog, timeoutResponse: () => ({}) })
const handler = middy((_event, context) => {
  const { deadline } = context
  process.stdout.write(`${JSON.stringify({ kind: 'plan', requestId: deadline.requestId, cutoffAt: deadline.cutoffAt })}\n`)
  while (deadline.elapsed() < BLOCK_UNTIL_MS) {}
  process.stdout.write(`${JSON.stringify({ kind: 'unblocked', requestId: deadline.requestId })}\n`)
  return {}
}, graceful.plugin).use(graceful)

for (let i = 0; i < Number(countArg); i++) {
  await handler({}, createLambdaContext({ timeoutMs: TIMEOUT_MS }))
  await new Promise((resolve) => setTimeout(resolve, 5))
}
console.log(JSON.stringify({ kind: 'done', node: process.version }))
