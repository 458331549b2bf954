import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Tests import our packages by name and resolve them to their sources, so a test run needs no
// rebuild. MIDDY_MAJOR=6 swaps @middy/core for Middy 6 to check the core behaviours on both, and
// Middy's own middlewares for their 6.x releases (installed as `middy6-<name>`).
const packages = ['deadline', 'testing', 'graceful-timeout', 'remaining-time-budget', 'outbound-fetch-timeout', 'timing-logger', 'report']
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const middy6Middlewares = ['http-error-handler', 'http-json-body-parser', 'http-cors', 'error-logger', 'input-output-logger']
const middyAlias =
  process.env.MIDDY_MAJOR === '6'
    ? [
        { find: /^@middy\/core$/, replacement: 'middy6' },
        ...middy6Middlewares.map((name) => ({ find: new RegExp(`^@middy/${name}$`), replacement: `middy6-${name}` })),
      ]
    : []

export default defineConfig({
  resolve: {
    alias: [
      ...middyAlias,
      ...packages.flatMap((name) => [
        { find: new RegExp(`^@middy-deadline/${name}$`), replacement: source(`./packages/${name}/src/index.ts`) },
        { find: new RegExp(`^@middy-deadline/${name}/(.+)$`), replacement: source(`./packages/${name}/src/$1.ts`) },
      ]),
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // The composition matrix runs on its own (scripts/composition.sh sets MATRIX): its timers must
    // not compete with every other test file's.
    exclude: ['**/node_modules/**', 'test/e2e/**', ...(process.env.MATRIX ? [] : ['test/composition/matrix.test.ts'])],
    // Under coverage every block counts its runs: the 100,000-call memory test took 17-20 s instead
    // of 9-20 s (loaded 2-core machine), against a 20 s limit.
    testTimeout: process.env.COVERAGE_DIR ? 40_000 : 20_000,
    typecheck: { enabled: false },
    // `--coverage` (scripts/coverage.sh, scripts/test.sh): what ran in this process, as JSON for
    // scripts/coverage.mjs to merge with the other Node version's run and with what the test
    // fixtures' child processes and worker threads ran (NODE_V8_COVERAGE, set by the scripts).
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      reporter: [['json', { file: 'vitest.json' }]],
      reportsDirectory: process.env.COVERAGE_DIR ?? 'coverage/run',
      // A failed test fails the run anyway; the figures still go to the merged report.
      reportOnFailure: true,
    },
    // Set in the test workers once they run, so only the processes the tests spawn (and their
    // worker threads) write raw V8 coverage, not vitest's own workers.
    env: process.env.COVERAGE_DIR ? { NODE_V8_COVERAGE: resolve(process.env.COVERAGE_DIR, 'children') } : {},
  },
})
