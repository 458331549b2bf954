import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { logGroupEvents } from '../src/cloudwatch.js'
import type { LogEvent } from '../src/envelope.js'
import { startCloudWatch } from './fixtures/cloudwatch-server.js'
import { requestId, startLine } from './lines.js'
import { type Answer, scripted } from './scripted-client.js'

// The log group reader's choices a caller sees: which errors it waits out, starts over from or
// gives up on (and after how many), which events it yields once, and whose client it releases.
// cloudwatch.test.ts reads through the real SDK against a local server; here a scripted client
// answers each FilterLogEvents, so that each answer is the one the case needs.

async function read(client: { send(command: unknown): Promise<unknown> }, options = {}) {
  const events: LogEvent[] = []
  const notices: string[] = []
  for await (const event of logGroupEvents({ logGroupName: 'g', client, onNotice: (n) => notices.push(n), ...options })) events.push(event)
  return { events, notices }
}

const serviceError = (name: string, message: string) => Object.assign(new Error(message), { name })
const expired = () => serviceError('InvalidParameterException', 'The specified nextToken has expired.')

describe('a page token the service rejects', () => {
  it('starts over 5 times by default, then gives up with the service’s error', async () => {
    const answers: Answer[] = []
    for (let i = 0; i < 6; i++)
      answers.push({ events: [{ message: `page ${i}`, timestamp: 1000 + i }], nextToken: 't' }, { throws: expired() })
    const { client, inputs } = scripted(answers)
    await expect(read(client)).rejects.toThrow('The specified nextToken has expired.')
    expect(inputs).toHaveLength(12)
  })

  it('starts over as often as `maxRestarts` says, from the last event read', async () => {
    const { client, inputs } = scripted([
      { events: [{ message: 'a', timestamp: 1000 }], nextToken: 't1' },
      { throws: expired() },
      { events: [{ message: 'b', timestamp: 2000 }], nextToken: 't2' },
      { throws: expired() },
      { events: [{ message: 'c', timestamp: 3000 }], nextToken: 't3' },
      { throws: expired() },
    ])
    await expect(read(client, { maxRestarts: 2, startTime: 500, endTime: 9000 })).rejects.toThrow('expired')
    expect(inputs.map((input) => [input.startTime, input.nextToken])).toEqual([
      [500, undefined],
      [500, 't1'],
      [1000, undefined],
      [1000, 't2'],
      [2000, undefined],
      [2000, 't3'],
    ])
  })

  it('gives up at once on a rejected first request, a parameter error not about the token, or an expired sign-in token', async () => {
    const first = scripted([{ throws: expired() }])
    await expect(read(first.client)).rejects.toThrow('expired')
    expect(first.inputs).toHaveLength(1)
    const badFilter = scripted([
      { events: [], nextToken: 't1' },
      { throws: serviceError('InvalidParameterException', 'Invalid filter pattern') },
    ])
    await expect(read(badFilter.client)).rejects.toThrow('Invalid filter pattern')
    expect(badFilter.inputs).toHaveLength(2)
    const signIn = scripted([
      { events: [], nextToken: 't1' },
      { throws: serviceError('ExpiredTokenException', 'The security token included in the request is expired') },
    ])
    await expect(read(signIn.client)).rejects.toThrow('security token')
    expect(signIn.inputs).toHaveLength(2)
  })

  it('gives up with what was thrown, as it was, when a later request throws something that is not an error', async () => {
    const { client } = scripted([{ events: [], nextToken: 't1' }, { throws: null }])
    await expect(read(client)).rejects.toBeNull()
  })
})

describe('throttling', () => {
  it('waits out each of CloudWatch Logs’ throttling errors, and says which', async () => {
    const { client, inputs } = scripted([
      { throws: serviceError('TooManyRequestsException', 'slow down') },
      { events: [{ message: 'a' }], nextToken: 't1' },
      { throws: serviceError('LimitExceededException', 'slow down') },
      { events: [{ message: 'b' }] },
    ])
    const { events, notices } = await read(client)
    expect(events.map((event) => event.message)).toEqual(['a', 'b'])
    expect(notices).toEqual([
      'throttled by CloudWatch Logs (TooManyRequestsException); waiting 200 ms',
      'throttled by CloudWatch Logs (LimitExceededException); waiting 200 ms',
    ])
    expect(inputs).toHaveLength(4)
  })
})

describe('events read again after a restart', () => {
  it('yields each event of the last millisecond read once, however many shared it, and the new ones after them', async () => {
    const { client, inputs } = scripted([
      {
        events: [
          { message: 'a', timestamp: 5, eventId: 'a' },
          { message: 'b', timestamp: 7, eventId: 'b' },
          { message: 'c', timestamp: 7, eventId: 'c' },
        ],
        nextToken: 't1',
      },
      { throws: expired() },
      {
        events: [
          { message: 'b', timestamp: 7, eventId: 'b' },
          { message: 'c', timestamp: 7, eventId: 'c' },
          { message: 'd', timestamp: 7, eventId: 'd' },
          { message: 'e', timestamp: 9, eventId: 'e' },
        ],
      },
    ])
    const { events } = await read(client, { startTime: 1 })
    expect(events.map((event) => event.message)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(inputs[2]).toMatchObject({ startTime: 7, nextToken: undefined })
  })

  it('takes a time and a stream only when the service gave them as a number and a string', async () => {
    const { client } = scripted([{ events: [{ message: 'a', timestamp: '7', logStreamName: 5 }] }])
    expect((await read(client)).events).toEqual([{ message: 'a', timestamp: undefined, stream: undefined }])
  })
})

describe('the client', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    vi.unstubAllEnvs()
  })

  it('releases a client it made itself once the read ends, and leaves one it was given to its owner', async () => {
    const destroy = vi.spyOn(CloudWatchLogsClient.prototype, 'destroy')
    const server = await startCloudWatch([{ logStreamName: 's', timestamp: Date.now() - 1000, message: startLine(requestId(1)) }], {
      pageSize: 10,
    })
    try {
      const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
      const own = logGroupEvents({ logGroupName: 'g', clientConfig: { region: 'us-east-1', endpoint: server.endpoint, credentials } })
      for await (const _event of own) expect(destroy).not.toHaveBeenCalled()
      expect(destroy).toHaveBeenCalledTimes(1)
      const given = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: server.endpoint, credentials })
      for await (const _event of logGroupEvents({ logGroupName: 'g', client: given })) {
        // read to the end
      }
      expect(destroy).toHaveBeenCalledTimes(1)
      given.destroy()
    } finally {
      await server.close()
    }
  })
})
