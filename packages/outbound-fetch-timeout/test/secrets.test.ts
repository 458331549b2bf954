import middy from '@middy/core'
import { describeError } from '@middy-deadline/deadline/internal'
import {
  deadlineFetch,
  type OutboundFetchContext,
  type OutboundFetchTimeoutOptions,
  outboundCallsOf,
  outboundFetchTimeout,
} from '@middy-deadline/outbound-fetch-timeout'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'
import { localServer, restoreGlobalFetchAfterEach } from './server.js'

const server = localServer()
restoreGlobalFetchAfterEach()

// Words found nowhere else (a stack names this very file, secrets.test.ts).
const SECRETS = ['hunter2', 'tok3n', 'sekr1t', 'fr4g']

/** Everything an error says, its causes' too: message, stack, own properties (`input`, `code`). */
function everything(error: unknown, depth = 0): string {
  if (typeof error !== 'object' || error === null || depth > 4) return String(error)
  const own = Object.getOwnPropertyNames(error).map((key) => `${key}=${everything((error as Record<string, unknown>)[key], depth + 1)}`)
  return [describeError(error), String((error as Error).stack), ...own].join('\n')
}

type Call = (context: OutboundFetchContext, url: string) => Promise<unknown>
const WAYS: [string, Call, Partial<OutboundFetchTimeoutOptions>][] = [
  ['context.fetch', (context, url) => context.fetch(url), {}],
  ['deadlineFetch', (_context, url) => deadlineFetch(url), {}],
  ['the patched global fetch', (_context, url) => fetch(url), { patchGlobalFetch: true }],
]

/** What a call through `way` fails with, from a real invocation. */
async function failureOf(way: Call, url: string, options: Partial<OutboundFetchTimeoutOptions>) {
  const handler = middy(async (_event: unknown, context: OutboundFetchContext) => {
    try {
      await way(context, url)
      return { error: undefined, calls: outboundCallsOf(context.deadline) }
    } catch (error) {
      return { error, calls: outboundCallsOf(context.deadline) }
    }
  }).use(outboundFetchTimeout(options))
  return handler({}, createLambdaContext({ timeoutMs: 5000 }))
}

describe('no URL credentials, query string or fragment in what our fetch throws', () => {
  it.each(WAYS)('%s: the platform refuses a URL with credentials, and the error does not repeat them', async (_way, way, options) => {
    const { error, calls } = await failureOf(way, 'https://user:hunter2@example.com/a?tok3n=1#fr4g', options)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toContain('https://example.com')
    for (const secret of SECRETS) expect(everything(error)).not.toContain(secret)
    expect(JSON.stringify(calls)).not.toMatch(/hunter2|tok3n|fr4g/)
  })

  it.each(WAYS)('%s: an invalid URL, neither in the message nor in its cause (code kept, input gone)', async (_way, way, options) => {
    const { error } = await failureOf(way, 'not a url?tok3n=sekr1t', options)
    expect(error).toMatchObject({ name: 'TypeError', cause: { code: 'ERR_INVALID_URL' } })
    expect((error as Error).message).toContain('[invalid URL]')
    for (const secret of SECRETS) expect(everything(error)).not.toContain(secret)
  })

  it('deadlineFetch outside any invocation: the same', async () => {
    const error = await deadlineFetch('https://user:hunter2@example.com/?tok3n=1').catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(TypeError)
    for (const secret of SECRETS) expect(everything(error)).not.toContain(secret)
  })

  it('any other failure is the very error the platform raised', async () => {
    const { error } = await failureOf(WAYS[0]?.[1] as Call, 'http://127.0.0.1:1/?tok3n=sekr1t', {})
    // `fetch failed` with its cause (the connection refused): nothing of the URL in it to remove.
    expect(error).toMatchObject({ name: 'TypeError', message: 'fetch failed' })
    expect((error as Error).cause).toBeInstanceOf(Error)
  })
})

describe('no URL secrets in what a fetch of your own (the fetch option) throws', () => {
  const URL_WITH_SECRETS = 'https://example.com/a?tok3n=sekr1t#fr4g'
  const failingWith = (thrown: (input: unknown) => unknown) =>
    failureOf((context, url) => context.fetch(url), URL_WITH_SECRETS, {
      fetch: async (input) => {
        throw thrown(input)
      },
    })

  it('a string that repeats the URL: the same string with the URL as records show it', async () => {
    const { error } = await failingWith((input) => `could not reach ${input}`)
    expect(error).toBe('could not reach https://example.com')
  })

  it('an error of its own kind: rebuilt with its name, code and message, a cause that is not an object left out', async () => {
    const { error } = await failingWith((input) =>
      Object.assign(new Error(`upstream refused ${input}`, { cause: 42 }), { name: 'UpstreamError', code: 'E42' }),
    )
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ name: 'UpstreamError', code: 'E42', message: 'upstream refused https://example.com', cause: undefined })
    for (const secret of SECRETS) expect(everything(error)).not.toContain(secret)
  })

  it('an object with the URL only in `input`, no message and a name that is not a string: an Error with neither', async () => {
    const { error } = await failingWith((input) => ({ input, name: 7 }))
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name: 'Error', message: '' })
    for (const secret of SECRETS) expect(everything(error)).not.toContain(secret)
  })

  it('a URL object for input is read for its secrets as a string is', async () => {
    const { error } = await failureOf((context) => context.fetch(new URL('https://user:hunter2@example.com/a?tok3n=1')), '', {})
    expect(error).toBeInstanceOf(TypeError)
    for (const secret of SECRETS) expect(everything(error)).not.toContain(secret)
  })

  it('an empty URL hides nothing: the platform’s very error', async () => {
    const platform = await fetch('').catch((thrown: unknown) => thrown)
    const { error, calls } = await failureOf((context) => context.fetch(''), '', {})
    expect(error).toMatchObject({ name: 'TypeError', message: (platform as Error).message })
    expect(calls.recent[0]).toMatchObject({ label: 'invalid URL', outcome: 'error' })
  })
})

describe('how records and errors show a call (describeTarget)', () => {
  it('by its origin by default: a path may carry a secret (a webhook token)', async () => {
    const { calls } = await failureOf((context) => context.fetch(`${server.base}/ok`).then((response) => response.text()), '', {})
    expect(calls.recent[0]).toMatchObject({ url: server.base, label: server.base.slice('http://'.length) })
  })

  it('as describeTarget says, never with credentials, a query string or a fragment, cut to a name length', async () => {
    const describeTarget = (url: URL) => `${url.origin}${url.pathname}${'/long'.repeat(100)}${url.search}#fr4g`
    const { calls } = await failureOf((context) => context.fetch(`${server.base}/ok?tok3n=1`).then((response) => response.text()), '', {
      describeTarget,
    })
    const url = calls.recent.at(-1)?.url as string
    expect(url.startsWith(`${server.base}/ok/long`)).toBe(true)
    expect(url.length).toBeLessThanOrEqual(200)
    expect(JSON.stringify(calls)).not.toMatch(/hunter2|tok3n|fr4g/)
  })

  // Run once: the warning is said once per process, and a retry would not say it again.
  it('by its origin when describeTarget fails or answers something else than a string, said once whatever it throws', {
    retry: 0,
  }, async () => {
    const stderr = captureStderr()
    const failing = () => {
      throw Object.create(null)
    }
    const failingOtherwise = () => {
      throw new Error('no path today')
    }
    for (const describeTarget of [failing, failingOtherwise, () => 42 as unknown as string]) {
      const { calls } = await failureOf((context) => context.fetch(`${server.base}/ok`).then((response) => response.text()), '', {
        describeTarget,
      })
      expect(calls.recent[0]?.url).toBe(server.base)
    }
    // Called for every call, its failures differ by the call: one warning for them all.
    expect(stderr.lines()).toEqual([
      {
        level: 'WARN',
        package: '@middy-deadline/outbound-fetch-timeout',
        message: 'describeTarget failed; the origin is shown instead',
        error: 'an object',
      },
    ])
  })
})

describe('which errors of a fetch of your own are rebuilt, and how far they are read', () => {
  /** What `context.fetch(url)` fails with when the fetch option throws `thrown(input)`. */
  const failing = async (url: string, thrown: (input: string) => unknown) =>
    (
      await failureOf((context) => context.fetch(url), url, {
        fetch: async (input) => {
          throw thrown(String(input))
        },
      })
    ).error

  it.each([
    ['a user name', 'https://admin@example.com/a'],
    ['a password alone', 'https://:hunter2@example.com/a'],
    ['a query string', 'https://example.com/a?tok3n=1'],
    ['a fragment', 'https://example.com/a#fr4g'],
    ['an empty fragment', 'https://example.com/a#'],
    ['a query string, not in the form URL writes it', 'https://example.com?tok3n=1'],
  ])('a URL with %s, repeated in the message: rebuilt with the URL as records show it', async (_part, url) => {
    const thrown = new Error('')
    const error = await failing(url, (input) => Object.assign(thrown, { message: `upstream refused ${input}` }))
    expect(error).not.toBe(thrown)
    expect(error).toMatchObject({ message: 'upstream refused https://example.com' })
  })

  it('a URL with nothing to hide: the very error, the URL left in its message', async () => {
    const thrown = new Error('')
    const error = await failing('https://example.com/a/b', (input) => Object.assign(thrown, { message: `upstream refused ${input}` }))
    expect(error).toBe(thrown)
    expect(error).toMatchObject({ message: 'upstream refused https://example.com/a/b' })
  })

  it('a URL with secrets that the error does not repeat: the very error, even with a cause that points back at it', async () => {
    const thrown = new Error('upstream refused the request')
    thrown.cause = thrown
    expect(await failing('https://example.com/a?tok3n=1', () => thrown)).toBe(thrown)
  })

  it('the URL only in the stack (the message changed since), only in a message (an object without a stack), only in a cause: rebuilt', async () => {
    const url = 'https://example.com/a?tok3n=sekr1t'
    const inStack = await failing(url, (input) => {
      const error = new Error(`GET ${input}`)
      // V8 writes the stack's text when it is first read: read here, with the URL, before the message changes.
      void error.stack
      error.message = 'request failed'
      return error
    })
    expect(inStack).toMatchObject({ message: 'request failed' })
    const inMessage = await failing(url, (input) => ({ name: 'FetchError', message: `GET ${input}` }))
    expect(inMessage).toBeInstanceOf(Error)
    expect(inMessage).toMatchObject({ name: 'FetchError', message: 'GET https://example.com' })
    const inCause = await failing(url, (input) => new Error('request failed', { cause: new Error(`GET ${input}`) }))
    expect(inCause).toMatchObject({ message: 'request failed', cause: { message: 'GET https://example.com' } })
    for (const error of [inStack, inMessage, inCause]) for (const secret of SECRETS) expect(everything(error)).not.toContain(secret)
  })

  it('four levels of causes are read and rebuilt, no more: a cycle of causes ends there', async () => {
    const url = 'https://example.com/a?tok3n=sekr1t'
    const causes = (error: unknown) => {
      const messages: unknown[] = []
      for (let at = error; at !== undefined; at = (at as Error).cause) messages.push((at as Error).message)
      return messages
    }
    // Only the fourth level repeats the URL; a fifth one would be left out.
    const deep = await failing(url, (input) => {
      const fifth = new Error(`fifth ${input}`)
      const fourth = new Error(`fourth ${input}`, { cause: fifth })
      return new Error('first', { cause: new Error('second', { cause: new Error('third', { cause: fourth }) }) })
    })
    expect(causes(deep)).toEqual(['first', 'second', 'third', 'fourth https://example.com'])
    const cycle = await failing(url, (input) => {
      const error = new Error(`GET ${input}`)
      error.cause = error
      return error
    })
    expect(causes(cycle)).toEqual(Array(4).fill('GET https://example.com'))
  })

  it('a rebuilt error has the code it had, a number too, and no cause or code it did not have; a cause of null is left out', async () => {
    const url = 'https://example.com/a?tok3n=1'
    const plain = (await failing(url, (input) => new Error(`GET ${input}`))) as Error
    expect(Object.hasOwn(plain, 'cause')).toBe(false)
    expect(Object.hasOwn(plain, 'code')).toBe(false)
    expect(await failing(url, (input) => Object.assign(new Error(`GET ${input}`), { code: -3008 }))).toMatchObject({ code: -3008 })
    const nullCause = (await failing(url, (input) => new Error(`GET ${input}`, { cause: null }))) as Error
    expect(nullCause.cause).toBeUndefined()
  })

  it('a Request for input is recorded by its host, as a URL is', async () => {
    const { calls } = await failureOf((context) => context.fetch(new Request('https://example.com/a?tok3n=1')), '', {
      fetch: async () => new Response(null, { status: 204 }),
    })
    expect(calls.recent).toEqual([expect.objectContaining({ label: 'example.com', url: 'https://example.com', outcome: 'ok' })])
  })
})
