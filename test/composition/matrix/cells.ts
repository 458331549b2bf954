/**
 * The cells of the composition matrix: every chain a user could write with our middlewares and the
 * neighbours they put beside them, times every path an invocation can take.
 *
 * - our four (`gracefulTimeout`, `remainingTimeBudget`, `outboundFetchTimeout`, `timingLogger`) in
 *   every order, with and without `deadline()` first;
 * - the plugin: none, `deadlinePlugin()`, or `graceful.plugin`;
 * - the neighbours, as a set users really combine, placed outside ours, inside them, or after the
 *   first of ours (where the timing logger's docs put an error handler);
 * - the path the invocation takes.
 */

export const OURS = ['gracefulTimeout', 'remainingTimeBudget', 'outboundFetchTimeout', 'timingLogger'] as const
export type Ours = (typeof OURS)[number]

export const PLUGINS = ['none', 'deadline', 'graceful'] as const
export type PluginChoice = (typeof PLUGINS)[number]

/** Neighbour sets; the event they take follows from the set. */
export const NEIGHBOURS = ['none', 'middy-http', 'powertools-http', 'middy-sqs', 'powertools-sqs', 'ours-sqs'] as const
export type NeighbourSet = (typeof NEIGHBOURS)[number]

export const PLACEMENTS = ['outside', 'inside', 'split'] as const
export type Placement = (typeof PLACEMENTS)[number]

export const HTTP_PATHS = [
  'success',
  'throws',
  'early',
  'honours',
  'ignores',
  'late-answer',
  'late-answer-announced',
  'onerror-throws',
  'middy-timeout-small',
  'middy-timeout-large',
  'stream-success',
  'stream-timeout',
] as const
export const SQS_PATHS = [
  'success',
  'throws',
  'record-fails',
  'early',
  'honours',
  'stuck-record',
  'onerror-throws',
  'middy-timeout-small',
  'middy-timeout-large',
] as const
export type PathName = (typeof HTTP_PATHS)[number] | (typeof SQS_PATHS)[number]

export type MiddyMajor = 6 | 7

export interface Cell {
  readonly middy: MiddyMajor
  readonly order: readonly Ours[]
  readonly deadlineFirst: boolean
  readonly plugin: PluginChoice
  readonly neighbours: NeighbourSet
  readonly placement: Placement
  readonly path: PathName
}

export const isSqs = (neighbours: NeighbourSet) => neighbours.endsWith('-sqs')
export const pathsOf = (neighbours: NeighbourSet): readonly PathName[] => (isSqs(neighbours) ? SQS_PATHS : HTTP_PATHS)

/** Response streaming is an HTTP feature; Powertools' middlewares are left out of it. */
const streams = (path: PathName) => path.startsWith('stream-')

/** A short, stable name for a cell, for test titles and failure messages. */
export function cellName(cell: Cell): string {
  const order = cell.order.map((name) => name.replace(/[a-z]/g, '')).join('>')
  return `middy${cell.middy} ${cell.deadlineFirst ? 'D>' : ''}${order} plugin:${cell.plugin} ${cell.neighbours}/${cell.placement} ${cell.path}`
}

export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()]
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]))
}

/** Middy 6 runs the core rows: our own middlewares and Middy's own neighbours (its 6.x releases). */
export const CORE_NEIGHBOURS: readonly NeighbourSet[] = ['none', 'middy-http', 'middy-sqs', 'ours-sqs']

/** Every cell of the full product for one Middy major. */
export function* allCells(middy: MiddyMajor): Generator<Cell> {
  const neighbourSets = middy === 6 ? CORE_NEIGHBOURS : NEIGHBOURS
  // Without neighbours there is nothing to place.
  for (const order of permutations(OURS))
    for (const deadlineFirst of [false, true])
      for (const plugin of PLUGINS)
        for (const neighbours of neighbourSets)
          for (const placement of neighbours === 'none' ? (['outside'] as const) : PLACEMENTS)
            for (const path of pathsOf(neighbours)) {
              if (streams(path) && neighbours === 'powertools-http') continue
              yield { middy, order, deadlineFirst, plugin, neighbours, placement, path }
            }
}

/** A small deterministic PRNG (mulberry32): the same seed, the same sample, on every machine. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A sample of the full product, fixed by `seed`: every combination of path, neighbour set, placement
 * and plugin appears `perStratum` times, each time with an order of our middlewares (and with or
 * without `deadline()` first) drawn at random. Whatever depends on the order is then exercised
 * across runs of the full product, and a failure in the sample always names a cell that can be
 * rerun alone.
 */
export function sampleCells(middy: MiddyMajor, seed: number, perStratum: number): Cell[] {
  const next = random(seed)
  const strata = new Map<string, Cell[]>()
  for (const cell of allCells(middy)) {
    const key = `${cell.neighbours}/${cell.placement}/${cell.plugin}/${cell.path}`
    const list = strata.get(key) ?? []
    list.push(cell)
    strata.set(key, list)
  }
  const picked: Cell[] = []
  for (const list of strata.values()) {
    const pool = list.slice()
    for (let i = 0; i < perStratum && pool.length > 0; i++) picked.push(pool.splice(Math.floor(next() * pool.length), 1)[0] as Cell)
  }
  return picked
}
