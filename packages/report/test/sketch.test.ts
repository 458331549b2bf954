import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { QuantileSketch, RELATIVE_ACCURACY } from '../src/sketch.js'

const exactQuantile = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number

describe('QuantileSketch', () => {
  it('answers exact nearest-rank quantiles while it holds few values', () => {
    const sketch = new QuantileSketch()
    for (let i = 10; i >= 1; i--) sketch.add(i)
    expect([sketch.quantile(0.5), sketch.quantile(0.9), sketch.quantile(0.99), sketch.quantile(1)]).toEqual([5, 9, 10, 10])
    expect(sketch.exact).toBe(true)
    expect({ count: sketch.count, sum: sketch.sum, min: sketch.min, max: sketch.max }).toEqual({ count: 10, sum: 55, min: 1, max: 10 })
  })

  it('keeps the first 1,024 values exact, and folds them into buckets at the 1,025th', () => {
    const sketch = new QuantileSketch()
    for (let i = 1; i <= 1024; i++) sketch.add(i * 1.001)
    expect(sketch.exact).toBe(true)
    expect(sketch.quantile(0.5)).toBe(512 * 1.001)
    sketch.add(1025 * 1.001)
    expect(sketch.exact).toBe(false)
  })

  it('answers 0 for values of a microsecond or less, past the exact buffer too', () => {
    const sketch = new QuantileSketch()
    for (let i = 0; i < 1000; i++) sketch.add(i % 2 === 0 ? 0.001 : 0.0005)
    for (let i = 0; i < 1000; i++) sketch.add(50)
    expect(sketch.exact).toBe(false)
    expect(sketch.quantile(0.5)).toBe(0)
    expect(sketch.min).toBe(0.0005)
  })

  it('stays within 1 % of the true quantile past the exact buffer, whatever the distribution', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 900_000, noNaN: true }), { minLength: 1100, maxLength: 4000 }),
        fc.constantFrom(0.5, 0.9, 0.99, 0.999),
        (values, q) => {
          const sketch = new QuantileSketch()
          for (const value of values) sketch.add(value)
          const truth = exactQuantile(
            [...values].sort((a, b) => a - b),
            q,
          )
          const answer = sketch.quantile(q) as number
          expect(sketch.exact).toBe(false)
          expect(Math.abs(answer - truth) / truth).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-9)
        },
      ),
      // No shrinking: a counterexample of 1,100 values or more is no easier to read shrunk, and
      // shrinking one took 10-45 s (a broken sketch counted as timed out under mutation testing).
      { numRuns: 60, endOnFailure: true },
    )
  })

  it('keeps a heavy tail: p99 of 100,000 log-normal durations within 1 %, the max exact', () => {
    const sketch = new QuantileSketch()
    const values: number[] = []
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let i = 0; i < 100_000; i++) {
      const normal = Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random())
      const value = Math.exp(5 + 1.2 * normal)
      values.push(value)
      sketch.add(value)
    }
    values.sort((a, b) => a - b)
    for (const q of [0.5, 0.9, 0.99]) {
      const truth = exactQuantile(values, q)
      expect(Math.abs((sketch.quantile(q) as number) - truth) / truth).toBeLessThanOrEqual(RELATIVE_ACCURACY)
    }
    expect(sketch.max).toBe(values[values.length - 1])
  })

  it('counts zeros and ignores values that are not finite', () => {
    const sketch = new QuantileSketch()
    for (let i = 0; i < 2000; i++) sketch.add(i % 2 === 0 ? 0 : 100)
    sketch.add(Number.NaN)
    sketch.add(Number.POSITIVE_INFINITY)
    expect(sketch.count).toBe(2000)
    expect(sketch.quantile(0.5)).toBe(0)
    expect(Math.abs((sketch.quantile(0.51) as number) - 100)).toBeLessThanOrEqual(1)
  })
})
