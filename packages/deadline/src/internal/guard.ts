/**
 * Calls a function someone handed us (a hook, a listener, a logger, an estimator) so that nothing
 * it does reaches further than `failed`: neither what it throws, nor the rejection of a promise it
 * returns. A rejection nobody handles ends a Node process (the default since Node 15), and a throw
 * would end the invocation with the wrong outcome. `failed` must not throw (describe the value
 * with `describeError`). Returns what the function returned, or `undefined` when it threw.
 */
export function callGuarded<A extends unknown[], R>(
  fn: (...args: A) => R,
  thisArg: unknown,
  args: A,
  failed: (error: unknown) => void,
): R | undefined {
  let result: R
  try {
    result = Reflect.apply(fn, thisArg, args)
  } catch (error) {
    failed(error)
    return undefined
  }
  onRejection(result, failed)
  return result
}

/** Sends the rejection of `value`, if it is a thenable, to `failed` (which must not throw). */
export function onRejection(value: unknown, failed: (error: unknown) => void): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return
  try {
    const then = (value as { then?: unknown }).then
    if (typeof then === 'function') then.call(value, undefined, failed)
  } catch (error) {
    // A `then` getter, or a `then` that throws: what it threw is the failure.
    failed(error)
  }
}

/** `object[key]`, or `undefined` when reading it throws (a getter, a proxy, a revoked proxy). */
export function readSafely(object: unknown, key: PropertyKey): unknown {
  if ((typeof object !== 'object' && typeof object !== 'function') || object === null) return undefined
  try {
    return (object as Record<PropertyKey, unknown>)[key]
  } catch {
    return undefined
  }
}

/** `value instanceof type`, or `false` when asking throws (a proxy's `getPrototypeOf` trap). */
export function isInstance(value: unknown, type: abstract new (...args: never[]) => unknown): boolean {
  try {
    return value instanceof type
  } catch {
    return false
  }
}
