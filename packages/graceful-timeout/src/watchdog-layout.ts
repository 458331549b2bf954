/**
 * The memory the main thread and the watchdog share: one slot per invocation in flight (Lambda
 * Managed Instances run several at once in one process). Plain numbers, so the worker's source
 * (a string) can be given the same layout.
 */
export const LAYOUT = {
  slots: 64,
  // Int32 per slot
  state: { free: 0, claiming: 1, armed: 2, acknowledged: 3, reported: 4 },
  // Float64 per slot, in this order
  numbers: ['startedAt', 'checkAt', 'hardDeadlineAt', 'budgetMs', 'reserveMs', 'markAtMs'] as const,
  // UTF-8 text per slot: [offset, capacity]
  text: { requestId: [0, 64], mark: [64, 128], phase: [192, 96] } as const,
  textBytes: 288,
} as const

export const NUMBER_INDEX = Object.fromEntries(LAYOUT.numbers.map((name, index) => [name, index])) as Record<
  (typeof LAYOUT.numbers)[number],
  number
>

/** Byte offsets of each region in the one SharedArrayBuffer. */
export function regions(slots: number) {
  const control = 0 // Int32 [generation] + padding
  const nextWake = 8 // Float64: when the worker will look next
  const states = 16 // Int32 × slots
  const seqs = states + 4 * slots // Int32 × slots: odd while the main thread rewrites a slot's text
  const lengths = seqs + 4 * slots // Int32 × slots × 3
  const numbers = align8(lengths + 12 * slots) // Float64 × slots × numbers
  const text = numbers + 8 * slots * LAYOUT.numbers.length
  const size = text + slots * LAYOUT.textBytes
  return { control, nextWake, states, seqs, lengths, numbers, text, size }
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8
}
