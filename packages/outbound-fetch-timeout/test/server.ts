import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { restoreGlobalFetch } from '@middy-deadline/outbound-fetch-timeout'
import { afterAll, afterEach, beforeAll, vi } from 'vitest'

export interface Arrival {
  path: string
  atMs: number
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly base: string
  /** Every request the server received, in order, with `performance.now()` at arrival. */
  readonly arrivals: Arrival[]
  /** Requests whose connection the client closed before the server answered completely. */
  readonly closedEarly: () => number
  /** Resolves when the server receives its next request: to act while a call is in flight. */
  nextArrival(): Promise<Arrival>
  close(): Promise<void>
}

/**
 * A real HTTP server on 127.0.0.1 with the behaviours of slow downstreams, chosen by path:
 * - `/ok`: answers at once;
 * - `/empty`: answers 204 No Content at once;
 * - `/headers/<ms>`: sends headers after `<ms>`, then the body at once;
 * - `/trickle/<ms>`: sends headers at once, then one byte every `<ms>`, never ending;
 * - `/never`: never answers;
 * - `/busy/<ms>`: answers 503 at once, asking (`x-amz-retry-after`) for a retry after `<ms>`;
 * - `/missing/<ms>`: answers after `<ms>` with SQS's `QueueDoesNotExist`, an error no retry helps;
 * - `/queue-url`: answers an SQS `GetQueueUrl` at once;
 * - anything else (the AWS SDK's `/`): never answers either.
 */
export async function startServer(): Promise<TestServer> {
  const arrivals: Arrival[] = []
  let waiting: ((arrival: Arrival) => void)[] = []
  let closedEarly = 0
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/'
    const arrival = { path, atMs: performance.now() }
    arrivals.push(arrival)
    for (const resolve of waiting) resolve(arrival)
    waiting = []
    res.on('close', () => {
      if (!res.writableFinished) closedEarly++
    })
    req.resume()
    const [, kind, arg] = path.split('?')[0]?.split('/') ?? []
    if (kind === 'ok') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    } else if (kind === 'empty') {
      res.writeHead(204).end()
    } else if (kind === 'headers') {
      const timer = setTimeout(() => res.writeHead(200).end('late'), Number(arg))
      res.on('close', () => clearTimeout(timer))
    } else if (kind === 'busy') {
      res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0', 'x-amz-retry-after': String(arg) })
      res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'busy' }))
    } else if (kind === 'missing') {
      const timer = setTimeout(() => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' })
        res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'no such queue' }))
      }, Number(arg))
      res.on('close', () => clearTimeout(timer))
    } else if (kind === 'queue-url') {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ QueueUrl: 'http://127.0.0.1/q' }))
    } else if (kind === 'trickle') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.flushHeaders()
      const timer = setInterval(() => res.write('.'), Number(arg))
      res.on('close', () => clearInterval(timer))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    arrivals,
    closedEarly: () => closedEarly,
    nextArrival: () => new Promise((resolve) => waiting.push(resolve)),
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** The server of one test file: started before its tests, closed after them. */
export function localServer(): TestServer {
  let started: TestServer | undefined
  beforeAll(async () => {
    started = await startServer()
  })
  afterAll(() => started?.close())
  const running = () => {
    if (started === undefined) throw new Error('the local server is used outside the tests of its file')
    return started
  }
  return {
    get base() {
      return running().base
    },
    get arrivals() {
      return running().arrivals
    },
    closedEarly: () => running().closedEarly(),
    nextArrival: () => running().nextArrival(),
    close: () => running().close(),
  }
}

/**
 * After each test of the file, the global `fetch` as it was: our patch undone and vitest's stubs
 * removed, so that a test that patched or stubbed it does not leave that to the next.
 */
export function restoreGlobalFetchAfterEach(): void {
  afterEach(() => {
    restoreGlobalFetch()
    vi.unstubAllGlobals()
  })
}
