import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Cell, HTTP_PATHS, OURS, type PathName, SQS_PATHS } from './cells.js'
import { ASYNC_BEFORE, chainNames } from './chain.js'
import type { Features } from './expect.js'

/**
 * The documented exceptions, read from the docs themselves: every table under a heading that
 * starts with "Composing with" in docs/*.md whose header is `when | paths | invariant | instead |
 * why`. The first four columns are machine-readable (their `code` spans); the last is for people.
 *
 * - `when`: conditions, all of which must hold (the names in CONDITIONS below);
 * - `paths`: the paths the row is about;
 * - `invariant`: the one invariant the row replaces (INVARIANTS);
 * - `instead`: what the cell does instead, in the invariant's own small syntax (see `parseInstead`).
 *
 * So the table cannot drift from the code: a row whose cells behave as the rule says fails the
 * test (the row must go), a cell that breaks a rule without a row fails it too (the row must come),
 * and a name the test does not know fails the parse.
 */

export const CONDITIONS: Record<string, (cell: Cell, features: Features) => boolean> = {
  'error-handler-inside-graceful': (_cell, f) => f.errorHandler && f.errorHandlerInsideGraceful,
  'powertools-batch': (cell) => cell.neighbours === 'powertools-sqs',
  'middy-batch': (cell) => cell.neighbours === 'middy-sqs',
  'our-batch': (cell) => cell.neighbours === 'ours-sqs',
  'without-graceful-plugin': (cell) => cell.plugin !== 'graceful',
  'with-graceful-plugin': (cell) => cell.plugin === 'graceful',
  'without-plugin': (cell) => cell.plugin === 'none',
  'with-plugin': (cell) => cell.plugin !== 'none',
  'middy-6': (cell) => cell.middy === 6,
  // A neighbour whose `before` is async comes before the first of ours in `.use()` order.
  'async-before-first': (cell) => {
    const names = chainNames(cell)
    const firstOurs = names.findIndex((name) => (OURS as readonly string[]).includes(name) || name === 'deadline')
    return names.slice(0, firstOurs).some((name) => ASYNC_BEFORE[cell.middy].includes(name))
  },
  'middy-7': (cell) => cell.middy === 7,
}

export const INVARIANTS = ['answer', 'in-time', 'record', 'cutoff', 'released', 'quiet-after-end'] as const
export type Invariant = (typeof INVARIANTS)[number]

export interface ExceptionRow {
  readonly source: string
  readonly when: readonly string[]
  readonly paths: readonly PathName[]
  readonly invariant: Invariant
  readonly instead: readonly string[]
}

const ALL_PATHS = new Set<string>([...HTTP_PATHS, ...SQS_PATHS])
const docsDir = fileURLToPath(new URL('../../../docs/', import.meta.url))

const codeSpans = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((match) => (match[1] as string).trim())

export function readExceptions(): ExceptionRow[] {
  const rows: ExceptionRow[] = []
  for (const file of readdirSync(docsDir).filter((name) => name.endsWith('.md'))) {
    const lines = readFileSync(`${docsDir}${file}`, 'utf8').split('\n')
    let inSection = false
    let sectionLevel = 0
    let header: string[] | undefined
    for (const [index, line] of lines.entries()) {
      const heading = /^(#+)\s+(.*)$/.exec(line)
      if (heading) {
        const level = (heading[1] as string).length
        if (inSection && level <= sectionLevel) inSection = false
        if ((heading[2] as string).startsWith('Composing with')) {
          inSection = true
          sectionLevel = level
        }
        header = undefined
        continue
      }
      if (!inSection || !line.startsWith('|')) {
        header = undefined
        continue
      }
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim())
      if (header === undefined) {
        header = cells.map((cell) => cell.toLowerCase())
        continue
      }
      if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue
      if (header.join('|') !== 'when|paths|invariant|instead|why') continue
      const where = `docs/${file}:${index + 1}`
      const [when, paths, invariant, instead] = cells.slice(0, 4).map(codeSpans) as [string[], string[], string[], string[]]
      for (const name of when) if (!(name in CONDITIONS)) throw new Error(`${where}: unknown condition \`${name}\``)
      for (const name of paths) if (!ALL_PATHS.has(name)) throw new Error(`${where}: unknown path \`${name}\``)
      if (invariant.length !== 1 || !INVARIANTS.includes(invariant[0] as Invariant))
        throw new Error(`${where}: the invariant must be one of ${INVARIANTS.join(', ')}`)
      if (instead.length !== 1) throw new Error(`${where}: \`instead\` must be one code span`)
      rows.push({
        source: where,
        when,
        paths: paths as PathName[],
        invariant: invariant[0] as Invariant,
        instead: (instead[0] as string).split(/\s+/),
      })
    }
  }
  return rows
}

/** The rows that apply to a cell. */
export function exceptionsFor(rows: readonly ExceptionRow[], cell: Cell, features: Features): ExceptionRow[] {
  return rows.filter(
    (row) =>
      row.paths.includes(cell.path) && row.when.every((name) => (CONDITIONS[name] as (c: Cell, f: Features) => boolean)(cell, features)),
  )
}
