import { currentDeadline, readSafely, warnOnce } from '@middy-deadline/deadline/internal'
import { fetchWithin } from './fetch.js'
import { type FetchLike, PACKAGE, patchesGlobalFetch, settingsOf } from './options.js'
import { boundedSignals, ORIGINAL, type Wrapper } from './original-fetch.js'

/**
 * The patch is process-wide (there is one `globalThis.fetch`), but what it does is decided per
 * call: the call belongs to the invocation whose async flow it runs in (`currentDeadline()`), and
 * outside any invocation, or in an invocation whose chain did not ask for the patch, it is the
 * original `fetch` itself. Both keys are `Symbol.for` so that two copies of this package in one
 * bundle see one patch, never two wrappers.
 */
const PATCH = Symbol.for('@middy-deadline/outbound.globalFetchPatch')

interface Patch {
  readonly original: FetchLike
  readonly wrapper: Wrapper
}
type Globals = typeof globalThis & { [PATCH]?: Patch }
const globals = globalThis as Globals

/** Whether `globalThis.fetch` is our deadline-aware wrapper right now. */
export function isGlobalFetchPatched(): boolean {
  return typeof globals.fetch === 'function' && (globals.fetch as Wrapper)[ORIGINAL] !== undefined
}

/** Installs the wrapper once per process; later calls (any copy of this package) do nothing. */
export function patchGlobalFetch(): void {
  if (isGlobalFetchPatched()) return
  const original = globals.fetch as FetchLike | undefined
  if (typeof original !== 'function') {
    warnOnce('global-fetch:missing', PACKAGE, 'patchGlobalFetch: there is no global fetch to patch; calls through it are not bounded')
    return
  }
  if (globals[PATCH] !== undefined) {
    // We patched once and something replaced our wrapper since (a test double, another library).
    // It may call ours underneath: wrapping again could bound each call twice.
    warnOnce(
      'global-fetch:replaced',
      PACKAGE,
      'patchGlobalFetch: globalThis.fetch was replaced after this package patched it; not patching again (call restoreGlobalFetch() before replacing it)',
    )
    return
  }
  const wrapper: Wrapper = function fetch(this: unknown, ...args: Parameters<FetchLike>): Promise<Response> {
    const deadline = currentDeadline()
    // Passed through: outside an invocation that asked for the patch; once this wrapper is no
    // longer the patch (restored, then perhaps patched again over another library's wrapper that
    // still calls this one); and for a call already bounded by us further out.
    if (
      deadline === undefined ||
      !patchesGlobalFetch(deadline) ||
      globals[PATCH]?.wrapper !== wrapper ||
      boundedSignals().has(readSafely(args[1], 'signal') as AbortSignal)
    )
      return Reflect.apply(original, this, args)
    return fetchWithin(deadline, settingsOf(deadline), original, ...args)
  }
  Object.defineProperty(wrapper, ORIGINAL, { value: original })
  globals[PATCH] = { original, wrapper }
  globals.fetch = wrapper
}

/**
 * Puts the original `globalThis.fetch` back, if our wrapper is still the one installed, and
 * forgets the patch either way. Returns whether it restored. Call it when a test or a process
 * that used `patchGlobalFetch: true` is done; the next invocation with the option patches again.
 * A wrapper of ours that another library has wrapped since stays in that library's chain, but
 * passes every call through from then on: a later patch over that chain bounds each call once.
 */
export function restoreGlobalFetch(): boolean {
  const patch = globals[PATCH]
  if (patch === undefined) return false
  delete globals[PATCH]
  if (globals.fetch !== patch.wrapper) return false
  globals.fetch = patch.original
  return true
}
