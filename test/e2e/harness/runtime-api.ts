import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * The Lambda Runtime API (2018-06-01) as far as the Node runtime client uses it: the runtime
 * long-polls `GET /runtime/invocation/next`, runs the handler, then posts the result to
 * `/invocation/{id}/response` or `/invocation/{id}/error` (or `/init/error` if the handler could
 * not be loaded). This server only moves invocations and results; starting, freezing and killing
 * the runtime process is the job of `function.ts`.
 */

/** The error body the runtime posts (`/error`, `/init/error`) and Lambda hands to the caller. */
export interface LambdaError {
  errorType: string
  errorMessage: string
  trace?: string[]
}

/** What the runtime answered, and when it arrived (`performance.now()`). */
export type RuntimeResult = { kind: 'response'; body: unknown; at: number } | { kind: 'error'; body: LambdaError; at: number }

export interface Invocation {
  readonly requestId: string
  readonly event: unknown
  readonly timeoutMs: number
  /** Epoch ms of the hard deadline (`Lambda-Runtime-Deadline-Ms`), fixed at hand-out. */
  deadlineAt: number
  /** `performance.now()` at hand-out: the same moment on the monotonic clock. */
  handedOutAt: number
  /** Resolves when the runtime has received the invocation: the function's clock starts there. */
  readonly handedOut: Promise<void>
  /** Resolves with what the runtime posted, or with what `fail()` decided (init error, crash). */
  readonly result: Promise<RuntimeResult>
}

interface Entry extends Invocation {
  markHandedOut(): void
  settle(result: RuntimeResult): void
}

export interface RuntimeApiOptions {
  functionName: string
  /** How many invocations may be outstanding at once: 1, or AWS_LAMBDA_MAX_CONCURRENCY. */
  maxInFlight: number
}

const PREFIX = '/2018-06-01/runtime'

export class RuntimeApi {
  readonly #options: RuntimeApiOptions
  readonly #server: Server
  /** Invocations not yet handed out, oldest first. */
  readonly #queue: Entry[] = []
  /** Handed out and not yet answered, by request id. */
  readonly #inFlight = new Map<string, Entry>()
  /** `/next` requests the runtime is waiting on (one per runtime worker). */
  readonly #waiting: ServerResponse[] = []
  #nextListeners: (() => void)[] = []
  #pollingListeners: { count: number; resolve: () => void }[] = []

  constructor(options: RuntimeApiOptions) {
    this.#options = options
    this.#server = createServer((req, res) => {
      readBody(req).then(
        (body) => this.#route(req, res, body),
        () => res.destroy(),
      )
    })
  }

  /** Starts listening on a free local port; returns `host:port` for AWS_LAMBDA_RUNTIME_API. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  async close(): Promise<void> {
    this.dropWaiting()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  /** Queues an invocation; the runtime receives it on its next `/next` once there is room. */
  enqueue(event: unknown, timeoutMs: number): Invocation {
    let markHandedOut!: () => void
    let settle!: (result: RuntimeResult) => void
    const handedOut = new Promise<void>((resolve) => {
      markHandedOut = resolve
    })
    const result = new Promise<RuntimeResult>((resolve) => {
      settle = resolve
    })
    const entry: Entry = {
      requestId: randomUUID(),
      event,
      timeoutMs,
      deadlineAt: Number.NaN,
      handedOutAt: Number.NaN,
      handedOut,
      result,
      markHandedOut,
      settle,
    }
    this.#queue.push(entry)
    this.#dispatch()
    return entry
  }

  /** Settles an invocation the runtime will never answer (it crashed, or failed to initialise). */
  fail(requestId: string, error: LambdaError): void {
    const entry = this.#inFlight.get(requestId) ?? this.#queue.find((queued) => queued.requestId === requestId)
    if (entry === undefined) return
    this.#forget(entry)
    entry.settle({ kind: 'error', body: error, at: performance.now() })
  }

  /**
   * Stops waiting for an invocation (it timed out): a late `/response` is then ignored, as Lambda
   * ignores one from an invocation it already reported as timed out.
   */
  abandon(requestId: string): void {
    const entry = this.#inFlight.get(requestId)
    if (entry !== undefined) this.#forget(entry)
  }

  /**
   * The runtime process is gone. Its `/next` requests can linger here until the server notices
   * the closed socket; handing the next invocation to one of them would lose it.
   */
  dropWaiting(): void {
    for (const res of this.#waiting.splice(0)) res.destroy()
  }

  /**
   * Resolves once the runtime is waiting on `/next` with nothing to do (immediately if it already
   * is). After an invocation, that is the moment Lambda freezes the process.
   */
  whenWaiting(): Promise<void> {
    if (this.#liveWaiters() > 0) return Promise.resolve()
    return new Promise((resolve) => this.#nextListeners.push(resolve))
  }

  /** Resolves once `count` `/next` requests wait at once (immediately if they already do). */
  whenPolling(count: number): Promise<void> {
    if (this.#liveWaiters() >= count) return Promise.resolve()
    return new Promise((resolve) => this.#pollingListeners.push({ count, resolve }))
  }

  // ---- the routes ---------------------------------------------------------------------------

  #route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = req.url ?? ''
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      this.#next(res)
      return
    }
    const posted = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url)
    if (req.method === 'POST' && posted !== null) {
      const entry = this.#inFlight.get(decodeURIComponent(posted[1] as string))
      if (entry !== undefined) {
        this.#forget(entry)
        const at = performance.now()
        entry.settle(
          posted[2] === 'response' ? { kind: 'response', body: parseJson(body), at } : { kind: 'error', body: toError(body), at },
        )
      }
      // Unknown or abandoned ids are accepted and dropped, so a late answer never crashes the runtime.
      accepted(res)
      return
    }
    if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      const error = toError(body)
      for (const entry of [...this.#queue]) this.fail(entry.requestId, error)
      accepted(res)
      return
    }
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errorMessage: `no route ${req.method} ${url}` }))
  }

  #next(res: ServerResponse): void {
    this.#waiting.push(res)
    res.on('close', () => remove(this.#waiting, res))
    this.#dispatch()
    if (res.writableEnded) return
    const waiting = this.#liveWaiters()
    const polling = this.#pollingListeners.filter((listener) => listener.count <= waiting)
    this.#pollingListeners = this.#pollingListeners.filter((listener) => listener.count > waiting)
    for (const listener of polling) listener.resolve()
    const listeners = this.#nextListeners
    this.#nextListeners = []
    for (const listener of listeners) listener()
  }

  /** Hands queued invocations to waiting runtimes, never more than `maxInFlight` at once. */
  #dispatch(): void {
    while (this.#queue.length > 0 && this.#inFlight.size < this.#options.maxInFlight) {
      const res = this.#waiting.shift()
      if (res === undefined) return
      if (res.destroyed) continue
      const entry = this.#queue.shift() as Entry
      this.#inFlight.set(entry.requestId, entry)
      entry.deadlineAt = Date.now() + entry.timeoutMs
      entry.handedOutAt = performance.now()
      res.writeHead(200, this.#headers(entry)).end(JSON.stringify(entry.event ?? null))
      entry.markHandedOut()
    }
  }

  #headers(entry: Entry): Record<string, string> {
    return {
      // The native client dereferences the content type unchecked: without it the runtime segfaults.
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': entry.requestId,
      'Lambda-Runtime-Deadline-Ms': String(entry.deadlineAt),
      'Lambda-Runtime-Invoked-Function-Arn': `arn:aws:lambda:us-east-1:123456789012:function:${this.#options.functionName}`,
      'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Sampled=0`,
    }
  }

  #forget(entry: Entry): void {
    this.#inFlight.delete(entry.requestId)
    remove(this.#queue, entry)
    this.#dispatch()
  }

  #liveWaiters(): number {
    return this.#waiting.filter((res) => !res.destroyed).length
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
    })
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}

function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}')
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}

function toError(body: string): LambdaError {
  const parsed = parseJson(body) as Partial<LambdaError> | null
  return {
    errorType: String(parsed?.errorType ?? 'Unknown'),
    errorMessage: String(parsed?.errorMessage ?? body),
    ...(Array.isArray(parsed?.trace) ? { trace: parsed.trace } : {}),
  }
}

function remove<T>(list: T[], item: T): void {
  const index = list.indexOf(item)
  if (index !== -1) list.splice(index, 1)
}
