import { describe, expect, it } from 'vitest'
import { gc, invokeOnMixedPaths } from './mixed-paths.js'

// Its point is scale: left out of mutation runs (vitest.mutation.config.ts), where it took two
// thirds of deadline's test time and ran for nearly every mutant; release.test.ts makes the same
// checks over a few hundred invocations.
describe('release at the end of every invocation, at scale', () => {
  it('leaves no timers, listeners or heap growth after 100,000 invocations on mixed paths', async () => {
    let heapAfterWarmUp = 0
    const { outcomes, timersLeft, alive } = await invokeOnMixedPaths(
      100_000,
      1000,
      (i) => {
        if (i !== 20_000) return
        gc()
        heapAfterWarmUp = process.memoryUsage().heapUsed
      },
      // The timers of the last 3,000 (1,000 on each path) are followed.
      97_000,
    )
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapAfterWarmUp) / 1024 / 1024

    expect(outcomes).toEqual({ false: 33_334, failed: 33_333, cached: 33_333 })
    expect(timersLeft).toBe(0)
    expect(alive).toEqual([])
    console.log(`heap growth after warm-up: ${heapGrowthMb.toFixed(2)} MB`)
    expect(heapGrowthMb).toBeLessThan(8)
  })
})
