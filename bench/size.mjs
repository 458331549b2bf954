// Bundle sizes (esbuild, minified, gzipped) of our packages and of the alternatives; exits 1 when a
// budgeted row is over its budget. Usage: node bench/size.mjs   (scripts/check-size.sh runs it)
import { flag, save, table } from './lib/report.mjs'
import { BUDGET, HANDLER_ALL_FOUR, measureSizes } from './lib/sizes.mjs'

const rows = await measureSizes()
const over = rows.filter((r) => r.budget !== undefined && r.gzipBytes > r.budget)
if (!flag('no-save')) save('size', { budget: BUDGET, rows })
const kb = (bytes) => (bytes / 1024).toFixed(2)
console.log(
  table(
    ['bundle', 'minified KB', 'min+gz KB', 'target (issue 7; README row: issue 16)', "CI's budget"],
    rows.map((r) => [
      r.name,
      kb(r.minBytes),
      kb(r.gzipBytes),
      r.target === undefined ? '' : `${kb(r.target)} KB ${r.gzipBytes > r.target ? 'missed' : 'met'}`,
      r.budget === undefined ? '' : `${kb(r.budget)} KB ${r.gzipBytes > r.budget ? '**OVER**' : 'ok'}`,
    ]),
  ),
)
// --breakdown: minified bytes per source file of each package, largest first (where to cut), then
// the README's handler per source file with its gzip cost.
if (flag('breakdown')) {
  const { bundleSize, PEERS } = await import('./lib/bundle.mjs')
  const { OURS } = await import('./lib/packages.mjs')
  for (const name of OURS) {
    const external = name === 'deadline' ? PEERS : [...PEERS, '@middy-deadline/deadline']
    const { byInput } = await bundleSize(`export * from '@middy-deadline/${name}'`, { external })
    const files = Object.entries(byInput).sort((a, b) => b[1] - a[1])
    console.log(`\n${name}: ${files.map(([path, bytes]) => `${path.split('/').pop()} ${bytes}`).join(', ')}`)
  }
  // What the README's handler takes from each file (tree-shaken), without @middy/core: minified
  // bytes, those inside string literals, and the gzip cost (bench/lib/attribution.mjs says how).
  const { attribute } = await import('./lib/attribution.mjs')
  const handler = await attribute(HANDLER_ALL_FOUR, { external: PEERS })
  console.log(
    `\nREADME handler, without @middy/core: ${handler.minBytes} B minified, ${handler.gzipBytes} B gzipped; string literals ${handler.strings.minBytes} B minified, ${handler.strings.gzipMarginal} B of the gzip\n`,
  )
  console.log(
    table(
      ['file', 'minified B', 'in strings B', 'gzip B (marginal)', 'gzip B (share)'],
      handler.files.map((f) => [
        f.file.replace(/^.*packages\//, '').replace(/^(\.\.\/)+/, ''),
        f.minBytes,
        f.stringBytes,
        f.gzipMarginal,
        f.gzipShare,
      ]),
    ),
  )
}
if (over.length > 0) {
  console.error(`\nbundle-size budget exceeded: ${over.map((r) => `${r.name} ${r.gzipBytes} B > ${r.budget} B`).join('; ')}`)
  process.exit(1)
}
