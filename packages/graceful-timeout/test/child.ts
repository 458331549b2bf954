import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { workspaceSources } from '../../../test/e2e/harness/bundle.js'

interface MutantCoverage {
  static: Record<string, number>
  perTest: Record<string, Record<string, number>>
}
interface StrykerNamespace {
  activeMutant?: string
  currentTestId?: string
  mutantCoverage?: MutantCoverage
}

let reports = 0

/**
 * A folder for a test's bundled fixture, and how to remove it when the test is done. Under coverage
 * (scripts/test.sh sets COVERAGE_DIR) the merge reads the child's script after the run to map what
 * it covered, so the folder is in the run's coverage folder and stays; otherwise it is in the
 * system's temp folder, and `remove` deletes it: tests leave nothing there.
 */
export function fixtureFolder(prefix: string): { path: string; remove: () => void } {
  const coverage = process.env.COVERAGE_DIR
  if (coverage) {
    const fixtures = join(resolve(coverage), 'fixtures')
    mkdirSync(fixtures, { recursive: true })
    return { path: mkdtempSync(join(fixtures, prefix)), remove: () => {} }
  }
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * Bundles a test fixture into `outfile` for a child process: our packages from their sources
 * (`@middy-deadline/<name>[/<entry>]` → `packages/<name>/src/<entry or index>.ts`), Middy 6 when
 * MIDDY_MAJOR=6, and an inline source map that maps what the child runs back to src/ for the
 * coverage report (NODE_V8_COVERAGE).
 */
export async function bundleFixture(entry: URL, outfile: string): Promise<string> {
  await build({
    entryPoints: [fileURLToPath(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'silent',
    sourcemap: 'inline',
    alias: process.env.MIDDY_MAJOR === '6' ? { '@middy/core': 'middy6' } : {},
    plugins: [workspaceSources()],
  })
  return outfile
}

/** Preloaded into a fixture's process under mutation testing: writes which mutants it ran. */
const mutationCoverage = new URL('./fixtures/mutation-coverage.mjs', import.meta.url).href

/**
 * Runs a bundled fixture in a child process of Node. Under mutation testing (stryker.config.mjs)
 * Stryker switches a mutant on inside this process only: the child gets it too, and tells which
 * mutants it ran, or every mutant only a child reaches (the watchdog) would go untested. The
 * bundle holds Stryker's instrumented sources (the sandbox's `src/`); their own preamble takes the
 * active mutant from `__STRYKER_ACTIVE_MUTANT__`.
 */
export function spawnFixture(args: string[], options: SpawnOptions): ChildProcess {
  const stryker = (globalThis as { __stryker__?: StrykerNamespace }).__stryker__
  if (stryker === undefined) return spawn(process.execPath, args, options)
  const report = join(tmpdir(), `stryker-child-${process.pid}-${++reports}.json`)
  const env = { ...process.env, STRYKER_CHILD_COVERAGE: report, __STRYKER_ACTIVE_MUTANT__: stryker.activeMutant ?? '' }
  const child = spawn(process.execPath, ['--import', mutationCoverage, ...args], { ...options, env })
  child.on('exit', () => {
    if (!existsSync(report)) return
    const ran = JSON.parse(readFileSync(report, 'utf8')) as Partial<MutantCoverage>
    rmSync(report, { force: true })
    stryker.mutantCoverage ??= { static: {}, perTest: {} }
    const { perTest } = stryker.mutantCoverage
    const test = stryker.currentTestId
    if (test !== undefined) perTest[test] ??= {}
    const into = test === undefined ? stryker.mutantCoverage.static : (perTest[test] as Record<string, number>)
    for (const counts of [ran.static ?? {}, ...Object.values(ran.perTest ?? {})]) {
      for (const [id, count] of Object.entries(counts)) into[id] = (into[id] ?? 0) + count
    }
  })
  return child
}
