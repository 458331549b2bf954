// "A promise in the docs is a test": each package page keeps a "What is guaranteed" list whose items
// name the tests that prove them, and a "Limits" list. A renamed or deleted test file, or a test
// whose name changed, would leave a promise pointing at nothing; this finds it.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root } from './blocks.ts'

const packages = readdirSync(join(root, 'packages'))
const read = (path: string) => readFileSync(join(root, path), 'utf8')

/** The text of the `## heading…` section of `page` (up to the next `## `), or `undefined`. */
function section(page: string, heading: string): string | undefined {
  const start = page.search(new RegExp(`^## ${heading}`, 'm'))
  if (start === -1) return undefined
  const end = page.slice(start + 3).search(/^## /m)
  return end === -1 ? page.slice(start) : page.slice(start, start + 3 + end)
}

/** A named test file, from the root, the package, or the package's test folder (`report.test.ts`). */
function testFile(name: string, packageName: string): string | undefined {
  return [name, `packages/${packageName}/${name}`, `packages/${packageName}/test/${name}`].find((path) => existsSync(join(root, path)))
}

/**
 * What a guarantee list names, in order: test files (`` `….test.ts` ``) and test names, quoted in
 * parentheses after their file (`("a name", "another")`). Line breaks in the Markdown are spaces.
 */
function references(list: string): { file: string; names: string[] }[] {
  const found: { file: string; names: string[] }[] = []
  for (const match of list.replace(/\s*\n\s*/g, ' ').matchAll(/`([\w./-]+\.test\.ts)`|\(("[^)]*")\)/g)) {
    if (match[1] !== undefined) found.push({ file: match[1], names: [] })
    else found.at(-1)?.names.push(...[...(match[2] as string).matchAll(/"([^"]+)"/g)].map((name) => name[1] as string))
  }
  return found
}

describe.each(packages)('docs/%s.md', (packageName) => {
  const page = read(`docs/${packageName}.md`)
  const guaranteed = section(page, 'What is guaranteed')

  it('has a "What is guaranteed" list and a "Limits" list', () => {
    expect(guaranteed).toBeDefined()
    expect(section(page, 'Limits')).toMatch(/^- /m)
  })

  it('names, for its guarantees, test files that exist and test names they contain', () => {
    const named = references(guaranteed ?? '')
    expect(named.length).toBeGreaterThan(0)
    for (const { file, names } of named) {
      const path = testFile(file, packageName)
      expect(path, `${file} named in docs/${packageName}.md`).toBeDefined()
      const source = read(path as string)
      // A name may be quoted by its beginning ("keeps its record on a line of its own…").
      for (const name of names) expect(source, `"${name}" in ${path}`).toContain(name.replace(/…$/, ''))
    }
  })
})
