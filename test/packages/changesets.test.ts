import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { publishedPackages } from '../../scripts/published.ts'

// `changeset version` reads only the YAML front matter of each changeset; a file whose front matter
// a formatter rewrote (biome once turned one into a Markdown heading) is dropped from the release
// notes without a word. So each one is read here the way changesets needs it.
const dir = fileURLToPath(new URL('../../.changeset/', import.meta.url))
const changesets = readdirSync(dir).filter((file) => file.endsWith('.md') && file !== 'README.md')
const published = new Set(publishedPackages().map((pkg) => pkg.manifest.name as string))

describe('every changeset', () => {
  it.each(changesets)('%s: front matter names published packages with a bump, then a summary', (file) => {
    const text = readFileSync(join(dir, file), 'utf8')
    const match = /^---\n([\s\S]*?)\n---\n+(\S[\s\S]*)$/.exec(text)
    expect(match, 'front matter between two --- lines, then the summary').not.toBeNull()
    const [, frontMatter = '', summary = ''] = match ?? []
    const releases = frontMatter
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => /^'(@middy-deadline\/[a-z-]+)': (patch|minor|major)$/.exec(line))
    expect(
      releases.every((release) => release !== null),
      frontMatter,
    ).toBe(true)
    for (const release of releases) expect(published).toContain(release?.[1])
    expect(summary.trim().length).toBeGreaterThan(0)
  })
})
