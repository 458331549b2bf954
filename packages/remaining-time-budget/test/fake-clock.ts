import { vi } from 'vitest'

// Taken when the test file loads, before a test installs fake timers.
const realSetImmediate = globalThis.setImmediate

/**
 * Runs the fake clock until `pending` has settled. One `vi.runAllTimersAsync()` is not enough: it
 * returns as soon as no fake timer is left, while a real `setImmediate` (the runner's way to start
 * the next item when no wait fits) may still be queued and arm a fake timer once it runs; which of
 * the two comes first depends on how busy the machine is, and the loser waits forever. So: run the
 * fake timers, let the real event loop turn once, and again, until the promise says it is done.
 */
export async function settledOnTheFakeClock(pending: Promise<unknown>): Promise<void> {
  let settled = false
  void pending.then(
    () => {
      settled = true
    },
    () => {
      settled = true
    },
  )
  while (!settled) {
    await vi.runAllTimersAsync()
    await new Promise((resolve) => realSetImmediate(resolve))
  }
}
