import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

// The suite as mutation testing runs it (stryker.config.mjs).
// - A package's mutants are tested by that package's own tests (MUTATE_PACKAGE, set by
//   scripts/mutation.sh): its score says how closely its own tests pin its behaviour, and a
//   surviving mutant runs a few dozen tests rather than the whole suite.
// - Left out: the tests whose point is load or scale, which Stryker's instrumented code (every
//   expression switched and counted, several times slower) on a shared machine fails without any
//   mutant: every call of twelve concurrent invocations inside 200 ms, 100,000 calls, random
//   batches under real timers. They still run in `npm test` and CI; a mutant only they would kill
//   counts as surviving here.
const config = mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'packages/outbound-fetch-timeout/test/concurrency.test.ts',
        'packages/outbound-fetch-timeout/test/memory.test.ts',
        'packages/remaining-time-budget/test/invariant.property.test.ts',
      ],
    },
  }),
)
const only = process.env.MUTATE_PACKAGE
if (only !== undefined) config.test = { ...config.test, include: [`packages/${only}/test/**/*.test.ts`] }
export default config
