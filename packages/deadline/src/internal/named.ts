type Steps = Record<'before' | 'after' | 'onError', (request: never) => unknown>

/**
 * Names a middleware's functions `<name>Before`, `<name>After`, `<name>OnError` and returns the
 * same object. Middy's plugin hooks (and so the timing logger's phases) see only a function's name,
 * and a minifier renames the functions' variables (esbuild without `keepNames`), so the documented
 * names are set here rather than left to the source's variable names.
 */
export function namedMiddleware<T extends Steps>(name: string, middleware: T): T {
  for (const step of ['before', 'after', 'onError'] as const)
    Object.defineProperty(middleware[step], 'name', { value: name + step.charAt(0).toUpperCase() + step.slice(1) })
  return middleware
}
