import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { apiReports } from '../../scripts/api-report/reports.ts'

// A package laid out as our build publishes it: a public entry and an internal one over shared
// declarations, one of them a type that no entry exports.
const packagesDir = join(mkdtempSync(join(tmpdir(), 'api-report-')), 'packages')
const dir = join(packagesDir, 'deadline')
afterAll(() => rmSync(join(packagesDir, '..'), { recursive: true, force: true }))

function publish(implementation: string) {
  mkdirSync(join(dir, 'dist'), { recursive: true })
  const exports = {
    '.': { types: './dist/index.d.ts', import: './dist/index.js' },
    './internal': { types: './dist/internal.d.ts', import: './dist/internal.js' },
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@middy-deadline/deadline', exports }))
  writeFileSync(join(dir, 'dist/index.d.ts'), "export { type Budget, budget, budget as default } from './internal.js'\n")
  writeFileSync(join(dir, 'dist/internal.d.ts'), "export { type Budget, budget, sharedHelper } from './budget.js'\n")
  writeFileSync(join(dir, 'dist/budget.d.ts'), implementation)
  return apiReports(packagesDir).get(join(dir, 'api-report.md')) ?? ''
}

const implementation = `/** Docs are not part of the surface. */
interface Limits { maxMs: number }
export interface Budget { readonly limits: Limits }
export declare function budget(ms: number): Budget;
export declare function sharedHelper(): void;
`

describe('the API report of a package', () => {
  it("lists each public name with its declaration, the internal entry's names apart", () => {
    const report = publish(implementation)
    expect(report).toContain('## `@middy-deadline/deadline`')
    expect(report).toContain('export interface Budget {\n  readonly limits: Limits;\n}')
    expect(report).toContain('export function budget(ms: number): Budget;')
    expect(report).toContain('export { budget as default }')
    expect(report).not.toContain('sharedHelper')
    expect(report).not.toContain('/internal')
    expect(report).not.toContain('Docs are not part')
  })

  it('shows a type that a public signature uses though no public entry exports it', () => {
    const report = publish(implementation)
    expect(report).toContain('## Used by the declarations above, exported by no public entry')
    expect(report).toContain('// packages/deadline/dist/budget.d.ts\ninterface Limits {\n  maxMs: number;\n}')
  })

  it('changes when a public signature changes, also through a type no entry exports', () => {
    const before = publish(implementation)
    expect(publish(implementation.replace('budget(ms: number)', 'budget(ms?: number)'))).not.toBe(before)
    expect(publish(implementation.replace('maxMs: number', 'maxMs: bigint'))).not.toBe(before)
    expect(publish(implementation.replace('sharedHelper(): void', 'sharedHelper(x: string): void'))).toBe(before)
  })
})
