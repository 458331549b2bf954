/**
 * Quantiles in bounded memory, in one pass. The first {@link EXACT_LIMIT} values are kept as they
 * are, so a small input (a test, a quiet function) gets exact quantiles; past that they are folded
 * into logarithmic buckets (the DDSketch scheme): every value lands in bucket ⌈log_γ(v)⌉ with
 * γ = (1 + α) / (1 − α), and a quantile is answered with its bucket's midpoint, which is within
 * α = 1 % of the true value, whatever the distribution. Milliseconds from 1 µs to 15 min span
 * about 1,000 buckets at most, so a sketch stays under ~30 KB however many values it sees.
 * Count, sum, min and max are always exact.
 *
 * Quantiles use the nearest-rank definition: the q-quantile of n values is the ⌈q·n⌉-th smallest.
 */
export const RELATIVE_ACCURACY = 0.01
const EXACT_LIMIT = 1024
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
const LOG_GAMMA = Math.log(GAMMA)
/** Values at or below this (a microsecond, a zero) share one bucket that answers 0. */
const ZERO_BELOW = 1e-3

export class QuantileSketch {
  /** How many values it stands for: the sum of their weights. */
  count = 0
  /** How many values were added, whatever their weight: what a quantile rests on. */
  samples = 0
  sum = 0
  min = Number.POSITIVE_INFINITY
  max = Number.NEGATIVE_INFINITY
  #exact: number[] | undefined = []
  #sorted = true
  #buckets: Map<number, number> | undefined
  #zeros = 0

  /** `weight`: how many values this one stands for (a sampled record stands for 1 / its rate). */
  add(value: number, weight = 1): void {
    if (!Number.isFinite(value)) return
    this.count += weight
    this.samples++
    this.sum += value * weight
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
    if (this.#exact !== undefined) {
      if (weight === 1) {
        this.#exact.push(value)
        this.#sorted = false
        if (this.#exact.length > EXACT_LIMIT) this.#fold()
        return
      }
      // The exact buffer holds values of weight 1: a sampled input is an estimate anyway.
      this.#fold()
    }
    this.#bucket(value, weight)
  }

  /** The q-quantile (0 < q ≤ 1), or undefined when the sketch is empty. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined
    const rank = Math.max(1, Math.ceil(q * this.count))
    if (this.#exact !== undefined) return this.#sortedExact()[rank - 1]
    let seen = this.#zeros
    if (rank <= seen) return 0
    for (const [index, n] of this.#orderedBuckets()) {
      seen += n
      // The midpoint may fall outside the values seen: never answer beyond the exact extremes.
      if (rank <= seen) return Math.min(this.max, Math.max(this.min, bucketValue(index)))
    }
    return this.max
  }

  /** Every value (exact mode) or every bucket's midpoint, with how many values it stands for. */
  forEach(visit: (value: number, count: number) => void): void {
    if (this.#exact !== undefined) {
      for (const value of this.#exact) visit(value, 1)
      return
    }
    if (this.#zeros > 0) visit(0, this.#zeros)
    for (const [index, n] of this.#orderedBuckets()) visit(bucketValue(index), n)
  }

  /** True while every value is still kept: quantiles are then exact. */
  get exact(): boolean {
    return this.#exact !== undefined
  }

  #fold(): void {
    const values = this.#exact as number[]
    this.#exact = undefined
    this.#buckets = new Map()
    for (const value of values) this.#bucket(value, 1)
  }

  #bucket(value: number, weight: number): void {
    if (value <= ZERO_BELOW) {
      this.#zeros += weight
      return
    }
    const index = Math.ceil(Math.log(value) / LOG_GAMMA)
    const buckets = this.#buckets as Map<number, number>
    buckets.set(index, (buckets.get(index) ?? 0) + weight)
  }

  #sortedExact(): number[] {
    const values = this.#exact as number[]
    if (!this.#sorted) {
      values.sort((a, b) => a - b)
      this.#sorted = true
    }
    return values
  }

  #orderedBuckets(): [number, number][] {
    return [...(this.#buckets as Map<number, number>)].sort((a, b) => a[0] - b[0])
  }
}

/** The midpoint of bucket `index` (γ^(i−1), γ^i]: within α of every value in it. */
function bucketValue(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1)
}

/** The summary a report prints for a sketch. */
export interface Distribution {
  count: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
  /** True when every value was kept (small inputs); otherwise quantiles are within 1 %. */
  exact: boolean
}

export function distributionOf(sketch: QuantileSketch, digits = 2): Distribution | null {
  if (sketch.count === 0) return null
  // Not empty: every quantile is a number.
  const round = (value: number | undefined) => roundTo(value as number, digits)
  return {
    // Weighted counts (sampled records) are estimates: whole invocations.
    count: Math.round(sketch.count),
    p50: round(sketch.quantile(0.5)),
    p90: round(sketch.quantile(0.9)),
    p99: round(sketch.quantile(0.99)),
    max: round(sketch.max),
    mean: round(sketch.sum / sketch.count),
    exact: sketch.exact,
  }
}

export function roundTo(value: number, digits: number): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}
