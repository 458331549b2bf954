import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { afterEach, describe, expect, it } from 'vitest'
import { logGroupEvents } from '../src/cloudwatch.js'
import { type LogEvent, reportFromEvents } from '../src/index.js'
import { type FakeCloudWatch, type StoredEvent, startCloudWatch } from './fixtures/cloudwatch-server.js'
import { invocationLines, requestId } from './lines.js'

// The log group reader with the real SDK client against a local server speaking CloudWatch Logs'
// JSON protocol: paging, throttling, and a page token that is rejected halfway through.

const T0 = Date.parse('2026-11-30T10:00:00Z')
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }

/** 12 invocations in two streams, 4 lines each; some lines share a millisecond across a page boundary. */
function storedEvents(): StoredEvent[] {
  const events: StoredEvent[] = []
  for (let i = 0; i < 12; i++) {
    const stream = i % 2 === 0 ? '2026/11/30/[$LATEST]aaaa' : '2026/11/30/[$LATEST]bbbb'
    for (const [k, message] of invocationLines(requestId(i), { durationMs: 100 + i }).entries())
      events.push({ logStreamName: stream, timestamp: T0 + i * 1000 + Math.min(k, 2), message: `${message}\n` })
  }
  return events
}

let server: FakeCloudWatch | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function readAll(options: Partial<Parameters<typeof logGroupEvents>[0]> = {}): Promise<{ events: LogEvent[]; notices: string[] }> {
  const notices: string[] = []
  const events: LogEvent[] = []
  const client = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: server?.endpoint, credentials, maxAttempts: 1 })
  for await (const event of logGroupEvents({
    logGroupName: '/aws/lambda/orders',
    startTime: T0,
    endTime: T0 + 60_000,
    client,
    onNotice: (n) => notices.push(n),
    ...options,
  }))
    events.push(event)
  return { events, notices }
}

describe('logGroupEvents', () => {
  it('reads every page in order through the SDK, signed, with the group and the time window', async () => {
    server = await startCloudWatch(storedEvents(), { pageSize: 7 })
    const { events } = await readAll()
    expect(events).toHaveLength(48)
    expect(events.map((e) => e.timestamp)).toEqual([...events.map((e) => e.timestamp)].sort((a, b) => (a ?? 0) - (b ?? 0)))
    expect(events[0]).toEqual({
      message: `START RequestId: ${requestId(0)} Version: $LATEST`,
      timestamp: T0,
      stream: '2026/11/30/[$LATEST]aaaa',
    })
    expect(server.requests).toHaveLength(7)
    expect(server.requests[0]).toMatchObject({
      target: 'Logs_20140328.FilterLogEvents',
      body: { logGroupName: '/aws/lambda/orders', startTime: T0, endTime: T0 + 60_000 },
    })
    expect(server.requests[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\//)
    expect(server.requests.slice(1).map((r) => r.body.nextToken)).toEqual(['page-7', 'page-14', 'page-21', 'page-28', 'page-35', 'page-42'])
  })

  it('waits and asks again when throttled, and says so', async () => {
    server = await startCloudWatch(storedEvents(), { pageSize: 20, throttle: [1, 2] })
    const { events, notices } = await readAll()
    expect(events).toHaveLength(48)
    expect(notices).toEqual([
      expect.stringContaining('throttled by CloudWatch Logs (ThrottlingException); waiting 200 ms'),
      expect.stringContaining('waiting 400 ms'),
    ])
    expect(server.requests.map((r) => r.body.nextToken)).toEqual([undefined, 'page-20', 'page-20', 'page-20', 'page-40'])
  })

  it('starts over from the last event read when a page token is rejected, and yields no event twice', async () => {
    server = await startCloudWatch(storedEvents(), { pageSize: 7, expireTokenAt: 3 })
    const { events, notices } = await readAll()
    expect(events).toHaveLength(48)
    expect(new Set(events.map((e) => `${e.stream} ${e.timestamp} ${e.message}`)).size).toBe(48)
    expect(notices).toEqual([expect.stringContaining('the page token was rejected (InvalidParameterException); reading again from')])
    const restart = server.requests[4]
    expect(restart?.body.nextToken).toBeUndefined()
    expect(restart?.body.startTime).toBe(events[20]?.timestamp)
    const report = await reportFromEvents(events, { functionName: 'orders' })
    expect(report.functions[0]).toMatchObject({ function: 'orders', invocations: 12, outcomes: { success: 12 } })
  })

  it('gives up with the service’s error after too many throttles or restarts', async () => {
    server = await startCloudWatch(storedEvents(), { pageSize: 7, throttle: [0, 1, 2] })
    await expect(readAll({ maxThrottleWaits: 2 })).rejects.toMatchObject({ name: 'ThrottlingException' })
  })
})

describe('middy-deadline-report --log-group', () => {
  it('reads the group through the SDK (loaded only then) and names the function after the group', async () => {
    server = await startCloudWatch(storedEvents(), { pageSize: 10, expireTokenAt: 2 })
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
    const trace = fileURLToPath(new URL('./fixtures/trace-sdk.mjs', import.meta.url))
    const args = [
      '--import',
      trace,
      cli,
      '--log-group',
      '/aws/lambda/orders',
      '--since',
      '2026-11-30T09:59:00Z',
      '--until',
      '2026-11-30T10:01:00Z',
    ]
    // Not spawnSync: the server lives in this process, and must answer while the command runs.
    const result = await promisify(execFile)(
      process.execPath,
      [...args, '--endpoint-url', server.endpoint, '--region', 'us-east-1', '--format', 'json'],
      {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' },
        timeout: 30_000,
      },
    )
    expect(result.stderr).toContain('[resolved the CloudWatch Logs SDK]')
    expect(result.stderr).toContain('the page token was rejected')
    expect(JSON.parse(result.stdout).functions[0]).toMatchObject({ function: 'orders', invocations: 12 })
  })
})
