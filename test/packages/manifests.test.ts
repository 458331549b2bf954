import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { publishedPackages, REPOSITORY } from '../../scripts/published.ts'

// What the npm site shows of each package, and what each tarball carries besides its code
// (scripts/packages.mjs checks the packed tarballs themselves).
const root = fileURLToPath(new URL('../../', import.meta.url))
const license = readFileSync(join(root, 'LICENSE'), 'utf8')
const packages = publishedPackages()

describe('every published package', () => {
  it.each(packages.map((pkg) => [pkg.name, pkg] as const))('%s: MIT, its repository, homepage, bugs and keywords', (name, { manifest }) => {
    expect(manifest).toMatchObject({
      license: 'MIT',
      repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${name}` },
      bugs: { url: `${REPOSITORY}/issues` },
      publishConfig: { access: 'public', provenance: true },
    })
    expect(manifest.homepage).toMatch(new RegExp(`^${REPOSITORY}[/#]`))
    expect(manifest.keywords).toEqual(expect.arrayContaining(['aws-lambda', 'middy']))
  })

  it.each(packages.map((pkg) => [pkg.name, pkg] as const))(
    '%s: ships the LICENSE of the repository, its README and CHANGELOG',
    (_name, { dir, manifest }) => {
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(license)
      for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE']) {
        expect(existsSync(join(dir, file))).toBe(true)
        expect(manifest.files).toContain(file)
      }
      expect(readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')).toMatch(
        new RegExp(`^# ${manifest.name}\\n\\n## ${manifest.version.replaceAll('.', '\\.')}\\n`),
      )
    },
  )

  it('all state the same range of @middy/core, the one the install test reads its lowest versions from', () => {
    const ranges = new Set(packages.map(({ manifest }) => manifest.peerDependencies?.['@middy/core']).filter(Boolean))
    expect([...ranges]).toEqual(['^6.0.0 || >=7.0.2'])
  })
})

it('the repository is MIT licensed, as every package says', () => {
  expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the middy-deadline contributors\n/)
})
