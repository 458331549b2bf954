import { createDurationEstimator } from '@middy-deadline/remaining-time-budget'
import { describe, expect, it } from 'vitest'

describe('createDurationEstimator', () => {
  it('answers nothing until it has seen minSamples durations', () => {
    const estimator = createDurationEstimator({ minSamples: 3 })
    estimator.record(10)
    estimator.record(20)
    expect(estimator.estimate()).toBeUndefined()
    estimator.record(30)
    expect(estimator.estimate()).toBe(30)
    expect(estimator.samples).toBe(3)
  })

  it('forgets the oldest durations beyond its window, so a changed workload is learned again', () => {
    const estimator = createDurationEstimator({ windowSize: 4, percentile: 1, minSamples: 1 })
    for (const ms of [500, 500, 500, 500]) estimator.record(ms)
    expect(estimator.estimate()).toBe(500)
    for (const ms of [20, 20, 20, 20]) estimator.record(ms)
    expect(estimator.estimate()).toBe(20)
    expect(estimator.samples).toBe(4)
  })

  it('ignores durations that are not real measurements', () => {
    const estimator = createDurationEstimator({ minSamples: 1 })
    estimator.record(Number.NaN)
    estimator.record(-5)
    estimator.record(Number.POSITIVE_INFINITY)
    expect(estimator.samples).toBe(0)
  })

  it('counts an item that finished within the same millisecond (0 ms is a real measurement)', () => {
    const estimator = createDurationEstimator({ minSamples: 1 })
    estimator.record(0)
    expect(estimator.samples).toBe(1)
    expect(estimator.estimate()).toBe(0)
  })

  it('trusts its estimate once the whole window is full when minSamples equals windowSize', () => {
    const estimator = createDurationEstimator({ windowSize: 4, minSamples: 4, percentile: 1 })
    for (const ms of [10, 20, 30]) estimator.record(ms)
    expect(estimator.estimate()).toBeUndefined()
    estimator.record(40)
    expect(estimator.estimate()).toBe(40)
  })

  it('refuses a percentile of 0 (1 is the slowest item, in the test above), naming the range', () => {
    expect(() => createDurationEstimator({ percentile: 0 })).toThrow(
      '@middy-deadline/remaining-time-budget: option `percentile` must be a number in (0, 1], got 0',
    )
  })

  it('says why minSamples larger than windowSize is refused', () => {
    expect(() => createDurationEstimator({ windowSize: 4, minSamples: 5 })).toThrow(
      '@middy-deadline/remaining-time-budget: option `minSamples` must not exceed windowSize (4), got 5',
    )
  })

  it('names the bad option', () => {
    expect(() => createDurationEstimator({ windowSize: 0 })).toThrow(/`windowSize`/)
    expect(() => createDurationEstimator({ percentile: 1.5 })).toThrow(/`percentile`/)
    expect(() => createDurationEstimator({ windowSize: 4, minSamples: 5 })).toThrow(/`minSamples`/)
  })
})
