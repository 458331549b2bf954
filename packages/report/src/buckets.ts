/**
 * Invocations grouped by how long they took, on a log scale (10 % wide buckets): lets the report
 * find, in one pass, the time each phase and downstream took in the *slow* invocations (the top
 * 10 % by duration), which are known only once the whole input has been read. Each bucket keeps
 * sums, never the invocations, so memory is bounded by the number of buckets (~200 from 1 ms to
 * 15 min). "Slow" is bucket-granular: it starts at the bucket of the slowest 10 %'s fastest member.
 */
const STEP = Math.log(1.1)

export const bucketOf = (durationMs: number): number => (durationMs <= 1 ? 0 : Math.ceil(Math.log(durationMs) / STEP))

/** Sums of something per duration bucket. */
export class BucketSums {
  readonly #sums = new Map<number, number>()

  add(bucket: number, value: number): void {
    this.#sums.set(bucket, (this.#sums.get(bucket) ?? 0) + value)
  }

  /** The sum over every bucket from `from` up. */
  from(from: number): number {
    let total = 0
    for (const [bucket, value] of this.#sums) if (bucket >= from) total += value
    return total
  }
}

/** How many invocations fell in each bucket: where the slow ones start. */
export class BucketCounts {
  readonly #counts = new Map<number, number>()
  #total = 0

  add(bucket: number, weight: number): void {
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + weight)
    this.#total += weight
  }

  /** The bucket of the first value above the q-quantile (of the maximum, for a handful); the slow set is it and every bucket above. */
  aboveQuantileBucket(q: number): number {
    const rank = Math.min(this.#total, Math.floor(q * this.#total) + 1)
    let seen = 0
    let last = Number.POSITIVE_INFINITY
    for (const [bucket, count] of [...this.#counts].sort((a, b) => a[0] - b[0])) {
      seen += count
      last = bucket
      // Weighted counts (sampled records) add up with rounding: the last bucket is the slowest.
      if (seen >= rank) break
    }
    return last
  }
}
