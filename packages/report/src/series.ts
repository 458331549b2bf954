import type { Outcome } from './verdict.js'

/** One invocation on the durations-over-time chart. */
export interface SeriesPoint {
  /** Epoch ms, or the invocation's order in the input when its lines had no time. */
  x: number
  durationMs: number
  outcome: Outcome
}

/** Many invocations in one slice of time, once there are too many to plot one by one. */
export interface SeriesBucket {
  x: number
  count: number
  maxMs: number
  meanMs: number
  timeouts: number
}

export interface DurationSeries {
  /** `time`: x is epoch ms; `order`: no line had a time, x is the invocation's order in the input. */
  axis: 'time' | 'order'
  points: SeriesPoint[] | undefined
  buckets: SeriesBucket[] | undefined
  /** Width of a bucket in x units, when bucketed. */
  bucketWidth: number | undefined
}

/** Up to this many invocations are plotted one by one; past it, in at most MAX_BUCKETS slices. */
export const MAX_POINTS = 5000
const MAX_BUCKETS = 1000
/** An x past this is a time (epoch ms, 1973 on); below it, an invocation's order in the input. */
const FROM_TIME = 1e11

interface Slice {
  count: number
  maxMs: number
  sumMs: number
  timeouts: number
}

/** Durations over time in bounded memory: raw points while few, then slices that widen as needed. */
export class SeriesBuilder {
  #points: SeriesPoint[] | undefined = []
  #slices: Map<number, Slice> | undefined
  #width = 0
  #anyTime = false

  add(timestamp: number | undefined, sequence: number, durationMs: number, outcome: Outcome): void {
    if (timestamp !== undefined) this.#anyTime = true
    const x = timestamp ?? sequence
    if (this.#points !== undefined) {
      this.#points.push({ x, durationMs, outcome })
      if (this.#points.length > MAX_POINTS) this.#toSlices()
      return
    }
    // Left out now rather than taking up slices that build() would drop.
    if (this.#shown(x)) this.#slice(x, durationMs, outcome)
  }

  build(): DurationSeries {
    const axis = this.#anyTime ? 'time' : 'order'
    if (this.#points !== undefined) {
      const points = this.#points.filter((point) => this.#shown(point.x)).sort((a, b) => a.x - b.x)
      return { axis, points, buckets: undefined, bucketWidth: undefined }
    }
    // Slices made before the first time was seen are on the order axis: left out here.
    const buckets = [...(this.#slices as Map<number, Slice>)]
      .filter(([key]) => this.#shown(key * this.#width))
      .sort((a, b) => a[0] - b[0])
      .map(([key, slice]) => ({
        x: key * this.#width,
        count: slice.count,
        maxMs: round2(slice.maxMs),
        meanMs: round2(slice.sumMs / slice.count),
        timeouts: slice.timeouts,
      }))
    return { axis, points: undefined, buckets, bucketWidth: this.#width }
  }

  /** Once some lines have a time, invocations without one cannot be placed on that axis. */
  #shown(x: number): boolean {
    return (this.#anyTime ? x > FROM_TIME : true) && Number.isFinite(x)
  }

  #toSlices(): void {
    // Only what the chart shows: an invocation without a time would stretch the span back to 1970.
    const points = (this.#points as SeriesPoint[]).filter((point) => this.#shown(point.x))
    this.#points = undefined
    const xs = points.map((point) => point.x)
    const span = Math.max(1, Math.max(...xs) - Math.min(...xs))
    this.#width = Math.max(1, Math.ceil(span / (MAX_BUCKETS / 2)))
    this.#slices = new Map()
    for (const point of points) this.#slice(point.x, point.durationMs, point.outcome)
  }

  #slice(x: number, durationMs: number, outcome: Outcome): void {
    const slices = this.#slices as Map<number, Slice>
    const key = Math.floor(x / this.#width)
    let slice = slices.get(key)
    if (slice === undefined) {
      slice = { count: 0, maxMs: 0, sumMs: 0, timeouts: 0 }
      slices.set(key, slice)
    }
    slice.count++
    slice.sumMs += durationMs
    if (durationMs > slice.maxMs) slice.maxMs = durationMs
    if (outcome === 'gracefulTimeout' || outcome === 'hardKill') slice.timeouts++
    if (slices.size > MAX_BUCKETS) this.#widen()
  }

  /** Twice as wide: neighbouring slices merge, and memory stays under MAX_BUCKETS slices. */
  #widen(): void {
    const old = this.#slices as Map<number, Slice>
    this.#width *= 2
    const merged = new Map<number, Slice>()
    for (const [key, slice] of old) {
      const to = Math.floor(key / 2)
      const into = merged.get(to)
      if (into === undefined) merged.set(to, slice)
      else {
        into.count += slice.count
        into.sumMs += slice.sumMs
        into.maxMs = Math.max(into.maxMs, slice.maxMs)
        into.timeouts += slice.timeouts
      }
    }
    this.#slices = merged
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100
