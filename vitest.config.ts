import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Tests import our packages by name and resolve them to their sources, so a test run needs no
// rebuild. MIDDY_MAJOR=6 swaps @middy/core for Middy 6 to check the core behaviours on both.
const packages = ['deadline', 'testing', 'graceful-timeout', 'remaining-time-budget', 'outbound-fetch-timeout', 'timing-logger']
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const middyAlias = process.env.MIDDY_MAJOR === '6' ? [{ find: /^@middy\/core$/, replacement: 'middy6' }] : []

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
    exclude: ['**/node_modules/**', 'test/e2e/**'],
    testTimeout: 20_000,
    typecheck: { enabled: false },
  },
})
