// node:fs is taken from the process on first use, not imported: an ESM import of it builds its
// facade, which reads every export and so loads fs/promises and the fs streams, most of this
// package's import time; `process.getBuiltinModule` returns the module Node has already loaded
// (bench/import-profile.mjs, docs/performance.md, "Cold start"). It exists from Node 22.3: before
// it, lines go through `process.stdout` (in order, but queued when stdout is a full pipe).
const fs = () => process.getBuiltinModule?.('node:fs')

/**
 * Writes one line to stdout before returning, so it is out even if Lambda stops the process next.
 *
 * Node writes `process.stdout` synchronously when it is a file or a terminal, but asynchronously
 * when it is a pipe or a socket on POSIX (it queues the write when the pipe is full). For those we
 * write to fd 1 ourselves with `fs.writeSync`. Otherwise the stream's own write is already
 * synchronous and keeps our line in order with everything else written through it.
 */
export function writeLineSync(line: string): void {
  // With output already queued in the stream (the pipe was full), a direct write could land in the
  // middle of a line the stream has half written: the stream keeps ours whole and in order.
  if (!stdoutIsAsync() || process.stdout.writableLength > 0) {
    process.stdout.write(line)
    return
  }
  // stdoutIsAsync() found the module: only it says stdout is a pipe or a socket.
  const { writeSync } = fs() as typeof import('node:fs')
  const bytes = Buffer.from(line)
  let offset = 0
  // The fd is non-blocking under libuv: a full pipe answers EAGAIN. Retry a few times, then let
  // the stream queue the rest rather than lose it.
  for (let attempt = 0; offset < bytes.length && attempt < 100; attempt++) {
    try {
      offset += writeSync(1, bytes, offset)
    } catch (error) {
      /* v8 ignore next -- an error other than a full pipe: a closed or broken stdout, which Lambda's runtime never leaves */
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') break
    }
  }
  if (offset < bytes.length) process.stdout.write(bytes.subarray(offset))
}

// Process-wide on purpose: what fd 1 is connected to does not change during the process.
let asyncStdout: boolean | undefined

function stdoutIsAsync(): boolean {
  if (asyncStdout === undefined) {
    try {
      const stat = fs()?.fstatSync(1)
      asyncStdout = stat !== undefined && (stat.isFIFO() || stat.isSocket())
    } catch {
      asyncStdout = false
    }
  }
  return asyncStdout
}
