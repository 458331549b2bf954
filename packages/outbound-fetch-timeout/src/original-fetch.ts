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
