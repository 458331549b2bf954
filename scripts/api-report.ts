// The public API of every package, kept in the repository as packages/<name>/api-report.md
// (scripts/api-report/reports.ts says what a report holds). `npm run api:update` rewrites the
// reports; CI runs `node scripts/api-report.ts --check`, which fails when the published types changed
// and a report did not, and names the command that updates it (docs/contributing.md).
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { apiReports, UPDATE_COMMAND } from './api-report/reports.ts'

const root = fileURLToPath(new URL('../', import.meta.url))
const packagesDir = join(root, 'packages')
const check = process.argv.includes('--check')

/** The lines only one side has (enough to see what changed; git shows the rest). */
function changedLines(before: string, after: string): string {
  const old = new Set(before.split('\n'))
  const now = new Set(after.split('\n'))
  const removed = before
    .split('\n')
    .filter((line) => !now.has(line))
    .map((line) => `- ${line}`)
  const added = after
    .split('\n')
    .filter((line) => !old.has(line))
    .map((line) => `+ ${line}`)
  return [...removed, ...added].join('\n')
}

// The reports are read from the declarations tsc writes: bring them up to date first (incremental).
const tsc = join(root, 'node_modules/typescript/bin/tsc')
execFileSync(process.execPath, [tsc, '-b', ...readdirSync(packagesDir).map((name) => join(packagesDir, name, 'tsconfig.json'))], {
  stdio: 'inherit',
})

const stale: string[] = []
for (const [file, text] of apiReports(packagesDir)) {
  let current = ''
  try {
    current = readFileSync(file, 'utf8')
  } catch {}
  if (current === text) continue
  if (check) {
    stale.push(relative(root, file))
    console.error(`${relative(root, file)}:\n${changedLines(current, text)}`)
  } else {
    writeFileSync(file, text)
    console.log(`api-report: wrote ${relative(root, file)}`)
  }
}
if (stale.length > 0) {
  console.error(`The public API changed and these reports were not updated: ${stale.join(', ')}`)
  console.error(`Run \`${UPDATE_COMMAND}\`, check that the diff is the API change you meant, and commit the reports.`)
  process.exit(1)
}
if (check) console.log('api-report: every package’s API report is up to date')
