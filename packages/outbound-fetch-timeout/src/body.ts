/**
 * Tells when a response body has been read to the end, failed, or been given up, without changing
 * the Response the caller gets (same object: `url`, `redirected`, `headers` stay as fetch set them).
 * The call's time limit must cover the body, not only the headers: a server that answers at once and
 * then trickles the body is the slow case that a headers-only timeout misses.
 */
export interface BodyWatch {
  /** The body was read to the end or cancelled by the caller. */
  done(): void
  /** Reading failed; returns the error the caller should see. */
  failed(error: unknown): unknown
  /** The caller started reading (a body never touched is not a failed call). */
  touched(): void
}

const READERS = ['arrayBuffer', 'blob', 'bytes', 'formData', 'json', 'text'] as const

export function watchBody(response: Response, watch: BodyWatch): Response {
  const bodyOf = getterOf(response, 'body')
  if (bodyOf === undefined || bodyOf.call(response) === null) {
    watch.done()
    return response
  }
  for (const name of READERS) {
    const read = response[name] as (() => Promise<unknown>) | undefined
    if (typeof read !== 'function') continue
    Object.defineProperty(response, name, {
      configurable: true,
      writable: true,
      value: () => {
        watch.touched()
        return read.call(response).then(
          (value) => {
            watch.done()
            return value
          },
          (error: unknown) => {
            throw watch.failed(error)
          },
        )
      },
    })
  }
  let watched: ReadableStream<Uint8Array> | undefined
  Object.defineProperty(response, 'body', {
    configurable: true,
    // Read from the original getter at first access, not before: `clone()` replaces the stream.
    get: () => {
      if (watched !== undefined) return watched
      const original = bodyOf.call(response)
      // A `fetch` option may return another Response class (a Node stream body): leave it as it is.
      if (!(original instanceof ReadableStream)) return original
      watched = watchStream(original as ReadableStream<Uint8Array>, watch)
      return watched
    },
  })
  return response
}

function watchStream(stream: ReadableStream<Uint8Array>, watch: BodyWatch): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  return new ReadableStream<Uint8Array>(
    {
      // The original is locked only once the caller really reads (highWaterMark 0: no read ahead),
      // so `if (response.body)` followed by `response.text()` still works.
      async pull(controller) {
        watch.touched()
        reader ??= stream.getReader()
        try {
          const { done, value } = await reader.read()
          if (done) {
            controller.close()
            watch.done()
          } else {
            controller.enqueue(value)
          }
        } catch (error) {
          controller.error(watch.failed(error))
        }
      },
      cancel(reason) {
        watch.done()
        return (reader ?? stream).cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

function getterOf(object: object, key: string): (() => unknown) | undefined {
  for (let proto = Object.getPrototypeOf(object); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, key)
    if (descriptor !== undefined) return descriptor.get
  }
  return undefined
}
