// Reads the kept mutation results (test/mutation/<package>.json, written by `npm run mutation`) and
// prints, per package, the score and every mutant that survived, had no test covering it, or timed
// out (Stryker counts a timeout as a kill: each one is worth a look), as Markdown.
//
//   node scripts/mutation-survivors.mjs [package...]
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dir = join(root, 'test/mutation')
const wanted = process.argv.slice(2)
const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')) : []
const LISTED = ['Survived', 'NoCoverage', 'Timeout']

for (const name of files) {
  const pkg = basename(name, '.json')
  if (wanted.length > 0 && !wanted.includes(pkg)) continue
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8'))
  const count = {}
  const listed = []
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const lines = source.split('\n')
    for (const mutant of mutants) {
      count[mutant.status] = (count[mutant.status] ?? 0) + 1
      if (!LISTED.includes(mutant.status)) continue
      const { start, end } = mutant.location
      const original =
        start.line === end.line
          ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
          : `${lines[start.line - 1].slice(start.column - 1)} …`
      listed.push({
        status: mutant.status,
        at: `${file.replace(/^packages\//, '')}:${start.line}`,
        mutator: mutant.mutatorName,
        original,
        replacement: mutant.replacement,
      })
    }
  }
  const detected = (count.Killed ?? 0) + (count.Timeout ?? 0)
  const valid = detected + (count.Survived ?? 0) + (count.NoCoverage ?? 0)
  const score = valid === 0 ? 100 : (100 * detected) / valid
  console.log(`## ${pkg}: ${score.toFixed(2)} %\n`)
  console.log(
    Object.entries(count)
      .map(([status, n]) => `${status} ${n}`)
      .join(', '),
    '\n',
  )
  if (listed.length === 0) continue
  console.log('| status | where | mutator | original | mutant |\n| --- | --- | --- | --- | --- |')
  const cell = (text) => `\`${String(text).replace(/\s+/g, ' ').slice(0, 70).replaceAll('|', '\\|').replaceAll('`', "'")}\``
  for (const row of listed) console.log(`| ${row.status} | ${row.at} | ${row.mutator} | ${cell(row.original)} | ${cell(row.replacement)} |`)
  console.log()
}
