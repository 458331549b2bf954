// The placeholders of the docs' examples: the user's own code that an example calls but does not
// show (`app`, `db`, `saveOrder`, …). Declared here once, for every block, with the types a user's
// code would plausibly have; nothing else is shared between blocks, so each block imports what it
// uses. A test that runs a block (test/docs/run.ts) gets the small working stand-ins below, and can
// swap any of them for one of its own before the block is loaded.
import type { MiddlewareObj } from '@middy/core'
import type { Context } from 'aws-lambda'
import { pause } from '../support/pause.js'

export { pause }

declare global {
  /** An order API's event and result. */
  interface OrderEvent {
    id: string
  }
  interface Order {
    id: string
    status: 'new' | 'paid' | 'shipped'
  }
  interface MonthlyReport {
    pages: number
  }
  interface Job {
    id: string
  }
  interface Picture {
    key: string
  }
  /** A durable workflow's input. */
  interface Input {
    source: string
  }
  interface Row {
    id: string
  }
  type WithSignal = { signal?: AbortSignal }

  /** The function's own handler, before any middleware. */
  var app: (event: unknown, context: Context) => Promise<unknown>
  /** A database client whose queries take a signal. */
  var db: { query(sql: string, params: unknown[], options?: WithSignal): Promise<Row[]> }
  /** A node-postgres style pool: `query({ text, values, signal })`. */
  var pool: { query(query: { text: string; values?: unknown[]; signal?: AbortSignal }): Promise<{ rows: Row[] }> }
  /** A Redis client without signal support. */
  var redis: { get(key: string): Promise<string | null> }
  var buildReport: (event: unknown, options?: WithSignal) => Promise<MonthlyReport>
  var saveOrder: (order: unknown, options?: WithSignal) => Promise<void>
  var saveProgress: () => Promise<void>
  var flushThings: () => Promise<void>
  var processJob: (job: Job, signal: AbortSignal) => Promise<void>
  var resizePicture: (picture: Picture, options?: WithSignal) => Promise<void>
  var extract: (input: Input) => Promise<string[]>
  var transform: (raw: string[]) => Promise<Row[]>
  var load: (rows: Row[]) => Promise<void>
  /** A middleware of the user's own, e.g. authentication. */
  var myAuth: () => MiddlewareObj
}

export type Placeholders = Pick<
  typeof globalThis,
  | 'app'
  | 'db'
  | 'pool'
  | 'redis'
  | 'buildReport'
  | 'saveOrder'
  | 'saveProgress'
  | 'flushThings'
  | 'processJob'
  | 'resizePicture'
  | 'extract'
  | 'transform'
  | 'load'
  | 'myAuth'
>

/** Working stand-ins, each a few milliseconds of pretend work that honours its signal. */
export const standIns: Placeholders = {
  app: async () => ({ statusCode: 200, body: 'ok' }),
  db: { query: async (_sql, _params, options) => pause(5, options?.signal).then(() => [{ id: '1' }]) },
  pool: { query: async ({ signal }) => pause(5, signal).then(() => ({ rows: [{ id: '1' }] })) },
  redis: { get: async () => pause(1).then(() => null) },
  buildReport: async (_event, options) => pause(5, options?.signal).then(() => ({ pages: 1 })),
  saveOrder: async (_order, options) => pause(5, options?.signal),
  saveProgress: async () => {},
  flushThings: async () => {},
  processJob: async (_job, signal) => pause(5, signal),
  resizePicture: async (_picture, options) => pause(5, options?.signal),
  extract: async (input) => [input.source],
  transform: async (raw) => raw.map((id) => ({ id })),
  load: async () => {},
  myAuth: () => ({ before: async function myAuthBefore() {} }),
}
