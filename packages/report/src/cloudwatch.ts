import type { LogEvent } from './envelope.js'

/**
 * Reads a log group straight from CloudWatch Logs with `FilterLogEvents`, page by page, as log
 * events for `reportFromEvents`. `@aws-sdk/client-cloudwatch-logs` is an optional peer: it is
 * loaded here, on first use, and nowhere else.
 */
export interface LogGroupOptions {
  logGroupName: string
  /** Epoch ms; default: one hour ago. */
  startTime?: number
  /** Epoch ms; default: now. */
  endTime?: number
  filterPattern?: string
  logStreamNamePrefix?: string
  /** A client of your own (credentials, region, endpoint, retries); else one is created with `clientConfig`. */
  client?: FilterLogEventsClient
  /** Passed to `new CloudWatchLogsClient(…)` when no client is given (region, endpoint…). */
  clientConfig?: Record<string, unknown>
  /** How often to start over from the last event read when the service rejects the page token. Default 5. */
  maxRestarts?: number
  /** How often to wait and ask again when throttled, past the SDK's own retries. Default 8. */
  maxThrottleWaits?: number
  /** Called with what happened while reading (throttled, restarted), for the CLI to say. */
  onNotice?: (notice: string) => void
}

/** What the reader needs of a CloudWatch Logs client: its `send`. */
export interface FilterLogEventsClient {
  send(command: unknown): Promise<unknown>
}

const PAGE_LIMIT = 10_000

export async function* logGroupEvents(options: LogGroupOptions): AsyncGenerator<LogEvent> {
  const sdk = await loadSdk()
  const client = options.client ?? (new sdk.CloudWatchLogsClient(options.clientConfig ?? {}) as FilterLogEventsClient)
  try {
    yield* readPages(sdk, client, options)
  } finally {
    // A client of our own keeps its sockets alive: release them, or the process waits on them.
    if (options.client === undefined) (client as { destroy?: () => void }).destroy?.()
  }
}

async function* readPages(sdk: Sdk, client: FilterLogEventsClient, options: LogGroupOptions): AsyncGenerator<LogEvent> {
  const notice = options.onNotice ?? (() => {})
  const maxRestarts = options.maxRestarts ?? 5
  const maxWaits = options.maxThrottleWaits ?? 8
  let startTime = options.startTime ?? Date.now() - 3_600_000
  const endTime = options.endTime ?? Date.now()
  let nextToken: string | undefined
  let restarts = 0
  // Ids of the events read at the latest timestamp: after a restart from that timestamp they come again.
  let lastTimestamp = Number.NEGATIVE_INFINITY
  let idsAtLast = new Set<string>()
  for (;;) {
    const input = {
      logGroupName: options.logGroupName,
      startTime,
      endTime,
      filterPattern: options.filterPattern,
      logStreamNamePrefix: options.logStreamNamePrefix,
      limit: PAGE_LIMIT,
      nextToken,
    }
    let page: { events?: unknown[]; nextToken?: string }
    try {
      page = (await sendWithWaits(client, new sdk.FilterLogEventsCommand(input), maxWaits, notice)) as typeof page
    } catch (error) {
      if (nextToken === undefined || !isExpiredToken(error) || restarts >= maxRestarts) throw error
      // A page token lives 24 hours, and a rejected one cannot be mended: start over from the
      // last event read, and skip the ones already read at that very millisecond.
      restarts++
      nextToken = undefined
      if (Number.isFinite(lastTimestamp)) startTime = lastTimestamp
      notice(`the page token was rejected (${errorName(error)}); reading again from ${new Date(startTime).toISOString()}`)
      continue
    }
    for (const raw of page.events ?? []) {
      const event = raw as { timestamp?: unknown; message?: unknown; logStreamName?: unknown; eventId?: unknown }
      if (typeof event.message !== 'string') continue
      const timestamp = typeof event.timestamp === 'number' ? event.timestamp : undefined
      const id = typeof event.eventId === 'string' ? event.eventId : undefined
      if (timestamp !== undefined) {
        if (timestamp === lastTimestamp && id !== undefined && idsAtLast.has(id)) continue
        if (timestamp > lastTimestamp) {
          lastTimestamp = timestamp
          idsAtLast = new Set()
        }
        if (timestamp === lastTimestamp && id !== undefined) idsAtLast.add(id)
      }
      yield {
        message: event.message.replace(/\s+$/, ''),
        timestamp,
        stream: typeof event.logStreamName === 'string' ? event.logStreamName : undefined,
      }
    }
    if (page.nextToken === undefined || page.nextToken === '') return
    nextToken = page.nextToken
  }
}

async function sendWithWaits(
  client: FilterLogEventsClient,
  command: unknown,
  maxWaits: number,
  notice: (text: string) => void,
): Promise<unknown> {
  for (let wait = 0; ; wait++) {
    try {
      return await client.send(command)
    } catch (error) {
      if (!isThrottling(error) || wait >= maxWaits) throw error
      const ms = Math.min(5000, 200 * 2 ** wait)
      notice(`throttled by CloudWatch Logs (${errorName(error)}); waiting ${ms} ms`)
      await new Promise((resolve) => setTimeout(resolve, ms))
    }
  }
}

type Sdk = {
  CloudWatchLogsClient: new (config: Record<string, unknown>) => unknown
  FilterLogEventsCommand: new (input: Record<string, unknown>) => unknown
}

async function loadSdk(): Promise<Sdk> {
  try {
    return (await import('@aws-sdk/client-cloudwatch-logs')) as unknown as Sdk
  } catch (error) {
    throw new Error(
      '@middy-deadline/report: reading a log group needs @aws-sdk/client-cloudwatch-logs (an optional peer): npm install @aws-sdk/client-cloudwatch-logs',
      { cause: error },
    )
  }
}

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name
  return typeof name === 'string' ? name : 'error'
}

function isThrottling(error: unknown): boolean {
  const name = errorName(error)
  return name === 'ThrottlingException' || name === 'TooManyRequestsException' || name === 'LimitExceededException'
}

function isExpiredToken(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message
  return errorName(error) === 'InvalidParameterException' && typeof message === 'string' && /token/i.test(message)
}
