/**
 * Settles as `call` (a `fetch`'s answer) does, or rejects with the signal's reason once the signal
 * has aborted and `call` has not settled by the next turn of the event loop: a `fetch` option that
 * ignores its signal keeps nobody waiting past the limit (the platform's `fetch` rejects as its
 * signal aborts). The turn is for one that honours its signal: it fails within it, through any
 * chain of promises, and its own error (the socket it closed) stays the cause the caller sees.
 * Once the signal has won, what `call` does is nobody's concern: its rejection is handled.
 *
 * Nothing to undo once `call` settles: the signal is the call's own and goes with it, and an abort
 * after the answer (a body being read, or left unread at the invocation's end) arms one immediate
 * that settles nothing.
 */
export function settledOrAborted<T>(call: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    signal.addEventListener('abort', () => setImmediate(() => reject(signal.reason)))
    call.then(resolve, reject)
  })
}
