// The watchdog thread's coverage, for scripts/coverage.mjs. The thread runs the string that
// watchdogSource() returns (graceful-timeout/src/watchdog-worker.ts), so V8 reports its hits
// against a script named `[worker eval]`. That string is the template literal in that file with
// its one substitution filled in: this maps every character of it back to the file, so that the
// thread's statements, branches and functions count in watchdog-worker.ts.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import astV8ToIstanbul from 'ast-v8-to-istanbul'
import { build } from 'esbuild'
import ts from 'typescript'
import { parseAstAsync } from 'vitest/node'

const FILE = 'packages/graceful-timeout/src/watchdog-worker.ts'
let thread

/** Istanbul coverage of watchdog-worker.ts for one `[worker eval]` script (or none: every count zero). */
export async function workerThreadCoverage(script, root) {
  thread ??= await load(root)
  const converted = await astV8ToIstanbul({
    code: thread.code,
    // A fresh tree each time: ast-v8-to-istanbul marks the nodes it has visited (a logical
    // expression, once converted, is skipped in any later conversion of the same tree), so a tree
    // shared between conversions left every `&&`/`||` branch out of all but the first.
    ast: parseAstAsync(thread.code),
    coverage: { url: thread.url, functions: script?.functions ?? [] },
    wrapperLength: 0,
  })
  const data = Object.values(converted)[0]
  const place = (position) => thread.place(position)
  const move = (loc) => (loc.start?.line === undefined ? loc : { start: place(loc.start), end: place(loc.end) })
  for (const entry of Object.values(data.statementMap)) Object.assign(entry, move(entry))
  for (const fn of Object.values(data.fnMap)) Object.assign(fn, { decl: move(fn.decl), loc: move(fn.loc) })
  for (const branch of Object.values(data.branchMap)) {
    Object.assign(branch, { loc: move(branch.loc), locations: branch.locations.map(move) })
  }
  return { [thread.path]: { ...data, path: thread.path } }
}

async function load(root) {
  const path = join(root, FILE)
  const file = readFileSync(path, 'utf8')
  // The exact string the thread runs: the module built and called, as the main thread does.
  const built = await build({ entryPoints: [path], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' })
  const { watchdogSource } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`)
  const code = watchdogSource()
  const offsets = mapToFile(code, file)
  const lineStarts = starts(code)
  const fileLineStarts = starts(file)
  return {
    path,
    url: `file://${path}`,
    code,
    /** A {line, column} in the thread's code → the same place in watchdog-worker.ts. */
    place({ line, column }) {
      const offset = offsets[Math.min((lineStarts[line - 1] ?? 0) + column, offsets.length - 1)]
      let at = 0
      while (at + 1 < fileLineStarts.length && fileLineStarts[at + 1] <= offset) at++
      return { line: at + 1, column: offset - fileLineStarts[at] }
    },
  }
}

/** For each character of `code`, its offset in `file`: the template literal's text, escapes cooked. */
function mapToFile(code, file) {
  const source = ts.createSourceFile('watchdog-worker.ts', file, ts.ScriptTarget.Latest, true)
  let template
  const find = (node) => {
    if (ts.isTemplateExpression(node) && node.getText().includes('Atomics.wait')) template = node
    ts.forEachChild(node, find)
  }
  find(source)
  if (template === undefined) throw new Error(`${FILE}: the watchdog's template literal was not found`)
  // Each literal part: [offset of its first raw character in the file, its raw text].
  const parts = [
    [template.head.getStart() + 1, template.head.rawText],
    ...template.templateSpans.map((span) => [span.literal.getStart() + 1, span.literal.rawText]),
  ]
  const substitutions = template.templateSpans.map((span) => span.expression.getStart() - 2)
  const offsets = []
  parts.forEach(([start, raw], index) => {
    for (let i = 0; i < raw.length; i++) {
      offsets.push(start + i)
      if (raw[i] === '\\') i++ // an escape: two characters of the file, one of the string
    }
    if (index < substitutions.length) {
      // The substituted text runs until the next part's text: all of it maps to its `${`.
      const next = cook(parts[index + 1][1]).slice(0, 40)
      const end = code.indexOf(next, offsets.length)
      while (offsets.length < end) offsets.push(substitutions[index])
    }
  })
  if (offsets.length !== code.length) throw new Error(`${FILE}: the watchdog's source does not line up with its template literal`)
  offsets.push(template.getEnd())
  return offsets
}

const cook = (raw) => raw.replace(/\\(.)/g, (_, character) => ({ n: '\n', t: '\t' })[character] ?? character)
const starts = (text) => [0, ...[...text.matchAll(/\n/g)].map((match) => match.index + 1)]
