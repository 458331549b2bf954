import type { FetchLike } from './options.js'

/** Marks our wrapper of `globalThis.fetch` and holds what it wraps (`Symbol.for`: shared by copies). */
export const ORIGINAL = Symbol.for('@middy-deadline/outbound.originalFetch')

export type Wrapper = FetchLike & { [ORIGINAL]?: FetchLike }

/**
 * The global `fetch` as it was before our patch (or as it is, when not patched), read at call time
 * so that a test double installed on `globalThis.fetch` is used. Our own calls go through this one:
 * through the patched global they would be bounded twice.
 */
export function originalGlobalFetch(): FetchLike {
  return unwrapped(globalThis.fetch)
}

/** `fetch` itself, or what it wraps when it is our wrapper (a `fetch` option set to the patched global). */
export function unwrapped(fetch: FetchLike): FetchLike {
  return (fetch as Wrapper)[ORIGINAL] ?? fetch
}

const BOUNDED = Symbol.for('@middy-deadline/outbound.boundedSignals')
type WithBounded = typeof globalThis & { [BOUNDED]?: WeakSet<AbortSignal> }

/**
 * The signals of the calls we bound, so that a wrapper of ours that such a call reaches again (the
 * patched global under another library's wrapper, or under a `fetch` option that calls the global)
 * passes it through instead of bounding and counting it twice. On `globalThis` under a `Symbol.for`
 * key: every copy of this package recognises the others' calls.
 */
export function boundedSignals(): WeakSet<AbortSignal> {
  const globals = globalThis as WithBounded
  globals[BOUNDED] ??= new WeakSet()
  return globals[BOUNDED]
}
