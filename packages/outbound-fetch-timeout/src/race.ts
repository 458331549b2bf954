/**
 * Settles as `call` (a `fetch`'s answer) does, or rejects with the signal's reason once the signal
 * has aborted and `call` has not settled by the next turn of the event loop: a `fetch` option that
 * ignores its signal keeps nobody waiting past the limit (the platform's `fetch` rejects as its
 * signal aborts). The turn is for one that honours its signal: it fails within it, through any
 * chain of promises, and its own error (the socket it closed) stays the cause the caller sees.
 * Once the signal has won, what `call` does is nobody's concern: its rejection is handled, and
 * nothing is left armed.
 */
export function settledOrAborted<T>(call: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let turn: NodeJS.Immediate | undefined
    const onAbort = () => {
      turn = setImmediate(() => reject(signal.reason))
    }
    const settled = () => {
      signal.removeEventListener('abort', onAbort)
      clearImmediate(turn)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    call.then(
      (value) => {
        settled()
        resolve(value)
      },
      (error: unknown) => {
        settled()
        reject(error)
      },
    )
  })
}
