import type { Deadline } from '../deadline.js'

/**
 * A typed place on the deadline for one package's state of the invocation: it lives and goes with
 * the deadline, whoever created it. Keyed by `Symbol.for(name)`, so that a second copy of the
 * package in one bundle (or a reader in another package, given the same name) finds the same
 * value; not enumerable, so that logging the deadline does not dump it.
 */
export interface DeadlineSlot<T> {
  /** The value put in place for this invocation, if any. */
  get(deadline: Deadline): T | undefined
  /** Puts `value` in place for the rest of the invocation. */
  set(deadline: Deadline, value: T): void
}

export function deadlineSlot<T>(name: string): DeadlineSlot<T> {
  const key = Symbol.for(name)
  return {
    get: (deadline) => (deadline as unknown as Record<symbol, T | undefined>)[key],
    set: (deadline, value) => {
      Object.defineProperty(deadline, key, { value, configurable: true, enumerable: false, writable: false })
    },
  }
}
