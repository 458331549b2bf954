import { createHook } from 'node:async_hooks'

/**
 * Watches the timers and immediates armed from now on; `left()` says how many of them are still
 * armed: after an invocation ended, 0 means nothing it armed is left to act later (no need to wait
 * and see).
 *
 * Not a count of `process.getActiveResourcesInfo()` before and after: that one counts every
 * referenced timer of the process, and vitest's own task-update timer (armed as each test starts,
 * fired 100 ms later) was in the count before and gone after, so one timer left armed passed
 * unseen. Each watched resource is the code's own, unreferenced ones (`unref()`) included.
 */
export function watchTimers(): { left(): Promise<number> } {
  const armed = new Set<number>()
  let open = true
  const hook = createHook({
    init(asyncId, type) {
      if (open && (type === 'Timeout' || type === 'Immediate')) armed.add(asyncId)
    },
    destroy(asyncId) {
      armed.delete(asyncId)
    },
  }).enable()
  return {
    async left() {
      open = false
      // Node reports a cleared or fired timer's end from a queue it empties on the next turn.
      await new Promise((resolve) => setImmediate(resolve))
      hook.disable()
      return armed.size
    },
  }
}
