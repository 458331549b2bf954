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
//   counts as surviving here. Deadline's 100,000 invocations passed, but took 5.9 of its 9.1 s
//   of instrumented test time and ran for nearly every mutant; release.test.ts makes the same
//   checks over 300 invocations. Deadline's 200 concurrent invocations, each aborted within its
//   reserve, failed the initial run at load 15 (419 ms against 249); current.test.ts and
//   invoke-store-single.test.ts keep invocations apart on the fake clock.
//   Report's 6,000-invocation chart test (chart-scale.test.ts) ran the whole pipeline for every
//   mutant of it (4 s at load 12); edges.test.ts checks the chart's slices on its builder itself.
// - Left out too: report's tests that act through another process (the built CLI, the big-input
//   bench) or a browser (Chromium): a mutant is switched on in vitest's process only, so they
//   cannot kill one, and each costs seconds per mutant it would run for.
// - A failing test is retried twice: the tests run real timers, and under instrumentation on a
//   loaded machine a tight bound can miss by a few ms (the dry run must pass, and a mutant must be
//   killed by a failure that repeats, not by a slow moment).
const config = mergeConfig(
  base,
  defineConfig({
    test: {
      retry: 2,
      exclude: [
        'packages/deadline/test/concurrency.test.ts',
        'packages/deadline/test/release-scale.test.ts',
        'packages/outbound-fetch-timeout/test/concurrency.test.ts',
        'packages/outbound-fetch-timeout/test/memory.test.ts',
        'packages/remaining-time-budget/test/invariant.property.test.ts',
        'packages/report/test/big-input.test.ts',
        'packages/report/test/chart-scale.test.ts',
        'packages/report/test/cli.test.ts',
        'packages/report/test/html.test.ts',
      ],
    },
  }),
)
const only = process.env.MUTATE_PACKAGE
if (only !== undefined) config.test = { ...config.test, include: [`packages/${only}/test/**/*.test.ts`] }
export default config
