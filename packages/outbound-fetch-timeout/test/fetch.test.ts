import { Readable } from 'node:stream'
import middy from '@middy/core'
import { currentDeadline, type Deadline, deadline } from '@middy-deadline/deadline'
import {
  deadlineFetch,
  type OutboundFetchContext,
  type OutboundFetchTimeoutOptions,
  OutboundTimeoutError,
  outboundCallsOf,
  outboundFetchTimeout,
  withDeadline,
} from '@middy-deadline/outbound-fetch-timeout'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import { describe, expect, it, vi } from 'vitest'
import { hardDeadlineNear } from '../../../test/support/hard-deadline.js'
import { captureStderr } from '../../../test/support/output.js'
import { watchTimers } from '../../../test/support/timers.js'
import { localServer } from './server.js'

const server = localServer()

type Handler = (event: unknown, context: OutboundFetchContext) => Promise<unknown>

/** A real chain: a 200 ms reserve, so the cutoff comes 200 ms before Lambda's hard deadline. */
function chain(handler: Handler, options: Partial<OutboundFetchTimeoutOptions> = {}) {
  return middy<unknown, unknown, Error, OutboundFetchContext>(handler, { timeoutEarlyInMillis: 0 })
    .use(deadline({ reserveMs: 200 }))
    .use(outboundFetchTimeout(options))
}

/** Runs one invocation and returns what the handler's call ended with, and when. */
async function callOnce(
  call: (context: OutboundFetchContext) => Promise<unknown>,
  timeoutMs: number,
  options: Partial<OutboundFetchTimeoutOptions> = {},
) {
  let calls: ReturnType<typeof outboundCallsOf> | undefined
  let deadlineOfCall: OutboundFetchContext['deadline'] | undefined
  const handler = chain(async (_event, context) => {
    deadlineOfCall = context.deadline
    // `afterMs`: ms since the invocation started, as its deadline counts them (the cutoff is
    // `timeoutMs - 200` on that clock, however late a loaded machine starts the handler).
    // `beforeCutoff`, `beforeHardDeadline`: the call settled before the cutoff's listeners ran, and
    // before a timer due 10 ms before Lambda's hard deadline fired.
    const near = hardDeadlineNear(context.deadline)
    let cutoffCame = false
    context.deadline.onCutoff(() => {
      cutoffCame = true
    })
    const when = () => ({ afterMs: context.deadline.elapsed(), beforeCutoff: !cutoffCame, beforeHardDeadline: !near.passed })
    try {
      const value = await call(context)
      return { value, ...when() }
    } catch (error) {
      return { error, ...when() }
    } finally {
      near.cancel()
      calls = outboundCallsOf(context.deadline)
    }
  }, options)
  const outcome = await invokeWithTimeout(handler, {}, { timeoutMs })
  if (outcome.status !== 'succeeded') throw new Error(`invocation ${outcome.status}`)
  return {
    ...(outcome.response as { value?: unknown; error?: unknown; afterMs: number; beforeCutoff: boolean; beforeHardDeadline: boolean }),
    calls: calls as ReturnType<typeof outboundCallsOf>,
    deadline: deadlineOfCall as OutboundFetchContext['deadline'],
  }
}

describe('context.fetch', () => {
  it('used twice in one chain with different options, applies the outer one and says so once', async () => {
    const stderr = captureStderr()
    const handler = middy(async (_event: unknown, context: OutboundFetchContext) => {
      // Headers after 150 ms: within the outer per-request limit, past the inner one.
      await (await context.fetch(`${server.base}/headers/150`)).text()
      return outboundCallsOf(context.deadline).recent
    })
      .use(outboundFetchTimeout({ perRequestMs: 2000 }))
      .use(outboundFetchTimeout({ perRequestMs: 50, minimumMs: 10 }))
    for (let i = 0; i < 2; i++)
      expect(await handler({}, createLambdaContext({ timeoutMs: 3000 }))).toEqual([expect.objectContaining({ outcome: 'ok' })])
    expect(stderr.lines()).toEqual([
      {
        level: 'WARN',
        package: '@middy-deadline/outbound-fetch-timeout',
        message: 'outboundFetchTimeout used twice in one chain with different options: the outer one applies, the inner one is ignored',
      },
    ])
  })

  it('gives the deadline back when the invocation fails: used alone, it ends the deadline on the error path', async () => {
    let seen: Deadline | undefined
    const handler = middy(async (_event: unknown, context: OutboundFetchContext) => {
      seen = context.deadline
      await (await context.fetch(`${server.base}/ok`)).text()
      throw new Error('the handler failed after its call')
    }).use(outboundFetchTimeout())
    await expect(handler({}, createLambdaContext({ timeoutMs: 2000 }))).rejects.toThrow('the handler failed after its call')
    expect(seen?.ended).toBe(true)
  })

  it('fails the call, as an error, when a fetch option answers with something that cannot be read as a Response', async () => {
    const unreadable = new Error('not a response')
    const fetch = async () =>
      ({
        get status(): number {
          throw unreadable
        },
      }) as unknown as Response
    const result = await callOnce((context) => context.fetch(`${server.base}/ok`), 1000, { fetch })
    expect(result.error).toBe(unreadable)
    expect(result.calls.recent).toEqual([expect.objectContaining({ kind: 'fetch', outcome: 'error' })])
    expect(result.calls.pending).toEqual([])
  })

  it('leaves a healthy server alone and records the call by its origin: no path, no query string', async () => {
    const result = await callOnce(async (context) => {
      const response = await context.fetch(`${server.base}/ok?token=secret`)
      return { status: response.status, text: await response.text() }
    }, 1000)
    expect(result.value).toEqual({ status: 200, text: 'ok' })
    expect(result.calls.recent).toEqual([
      expect.objectContaining({
        kind: 'fetch',
        label: server.base.slice(7),
        method: 'GET',
        url: server.base,
        outcome: 'ok',
        status: 200,
      }),
    ])
    expect(result.calls.pending).toEqual([])
  })

  // Run once: the warning is said once per process, and a retry would not say it again.
  it('used twice in one chain with the same options, bounds each call once and says nothing (checked once)', { retry: 0 }, async () => {
    const stderr = captureStderr()
    const handler = middy(async (_event: unknown, context: OutboundFetchContext) => {
      await (await context.fetch(`${server.base}/ok`)).text()
      return outboundCallsOf(context.deadline).recent
    })
      .use(outboundFetchTimeout({ perRequestMs: 800 }))
      .use(outboundFetchTimeout({ perRequestMs: 800 }))
    expect(await handler({}, createLambdaContext({ timeoutMs: 2000 }))).toEqual([expect.objectContaining({ outcome: 'ok' })])
    expect(stderr.chunks.filter((line) => line.includes('used twice'))).toEqual([])
  })

  it('leaves a context that cannot take it without context.fetch; deadlineFetch bounds the calls all the same', async () => {
    const handler = middy(async (_event: unknown, context: OutboundFetchContext) => {
      await (await deadlineFetch(`${server.base}/ok`)).text()
      return { fetch: typeof context.fetch, recent: outboundCallsOf(currentDeadline() as Deadline).recent }
    }).use(outboundFetchTimeout())
    const result = await handler({}, Object.preventExtensions(createLambdaContext({ timeoutMs: 2000 })))
    expect(result).toEqual({ fetch: 'undefined', recent: [expect.objectContaining({ kind: 'fetch', outcome: 'ok' })] })
  })

  it('cuts a server that is slow to send headers at the per-request limit', async () => {
    const result = await callOnce(
      (context) => context.fetch(`${server.base}/headers/1000?token=secret`, { method: 'post', body: 'x' }),
      1500,
      {
        perRequestMs: 150,
      },
    )
    const error = result.error as OutboundTimeoutError
    expect(error).toBeInstanceOf(OutboundTimeoutError)
    expect(error).toMatchObject({
      name: 'TimeoutError',
      limit: 'operation',
      method: 'POST',
      url: server.base,
      sent: true,
    })
    expect(error.message).not.toContain('secret')
    expect(error.elapsedMs).toBeGreaterThanOrEqual(145)
    // Cut by its own limit: before the cutoff (1300 ms), and long before the server's headers.
    expect(result.beforeCutoff).toBe(true)
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'timeout', limit: 'operation' })
  })

  it('cuts a body that trickles past the per-request limit, though the headers came at once', async () => {
    const result = await callOnce(
      async (context) => {
        const response = await context.fetch(`${server.base}/trickle/20`)
        return response.text()
      },
      2000,
      // Long enough for the headers to come first on a loaded machine (200 ms was not, at load 15):
      // the point is a body cut after them.
      { perRequestMs: 500 },
    )
    expect(result.error).toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({ limit: 'operation' })
    expect(result.afterMs).toBeGreaterThanOrEqual(490)
    expect(result.beforeCutoff).toBe(true)
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'timeout', status: 200 })
  })

  it('cuts a body read through response.body at the invocation cutoff, and records the call as cut there', async () => {
    const result = await callOnce(async (context) => {
      const response = await context.fetch(`${server.base}/trickle/20`)
      const reader = (response.body as ReadableStream<Uint8Array>).getReader()
      let bytes = 0
      for (let read = await reader.read(); !read.done; read = await reader.read()) bytes += read.value.length
      return bytes
    }, 500)
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
    // The cutoff is the deadline's budget less the 200 ms reserve on its own clock (about 300 ms
    // in; less when a loaded machine started the deadline late): not before it (1 ms of rounding),
    // and before the hard deadline.
    expect(result.afterMs).toBeGreaterThanOrEqual(result.deadline.budgetMs - 200 - 1)
    expect(result.beforeHardDeadline).toBe(true)
    // Being read when the cutoff came: cut, not an answer whose body nobody asked for.
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'timeout', limit: 'cutoff', status: 200 })
  })

  it('cuts a server that never answers at the invocation cutoff, before Lambda would, and says after how long', async () => {
    const result = await callOnce((context) => context.fetch(`${server.base}/never`), 450)
    expect(result.error).toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({ limit: 'cutoff', method: 'GET' })
    const { elapsedMs, message } = result.error as OutboundTimeoutError
    // From the call's start, which came after the invocation's.
    expect(elapsedMs).toBeLessThanOrEqual(result.afterMs + 1)
    expect(message).toBe(`Timed out (outbound call): cut at the invocation cutoff after ${elapsedMs} ms`)
    // The cutoff, on the deadline's clock: its budget less the 200 ms reserve (about 250 ms in).
    expect(result.afterMs).toBeGreaterThanOrEqual(result.deadline.budgetMs - 200 - 1)
    expect(result.beforeHardDeadline).toBe(true)
  })

  it('refuses a call that cannot get minimumMs, without sending it, and records it as a fetch cut at the cutoff', async () => {
    const arrivalsBefore = server.arrivals.length
    const result = await callOnce(
      // 350 ms timeout - 200 ms reserve: 150 ms to the cutoff, less than minimumMs from the start.
      (context) => context.fetch(`${server.base}/ok`),
      350,
      { minimumMs: 200 },
    )
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff', sent: false, elapsedMs: 0 })
    expect((result.error as Error).message).toMatch(/not sent/)
    // At once, not at the cutoff 150 ms later.
    expect(result.beforeCutoff).toBe(true)
    expect(server.arrivals.length).toBe(arrivalsBefore)
    expect(result.calls.recent).toEqual([expect.objectContaining({ kind: 'fetch', outcome: 'timeout', limit: 'cutoff' })])
  })

  it('refuses a call made after the event loop was blocked past the cutoff, before its timer ran: not sent, because the cutoff has been reached', async () => {
    const arrivalsBefore = server.arrivals.length
    const result = await callOnce((context) => {
      // Synchronous work until 20 ms past the cutoff: the cutoff's timer cannot fire meanwhile.
      while (context.deadline.remainingToHardDeadline() > context.deadline.reserveMs - 20) {}
      return context.fetch(`${server.base}/ok`)
    }, 600)
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff', sent: false })
    expect((result.error as Error).message).toMatch(/not sent: the invocation cutoff has been reached$/)
    expect(server.arrivals.length).toBe(arrivalsBefore)
  })

  it("keeps the caller's own abort: the caller's reason, not a timeout", async () => {
    const reason = new Error('user went away')
    const result = await callOnce((context) => {
      const controller = new AbortController()
      // While the call is in flight: once the server has it.
      void server.nextArrival().then(() => controller.abort(reason))
      return context.fetch(`${server.base}/never`, { signal: controller.signal })
    }, 1000)
    expect(result.error).toBe(reason)
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'aborted', limit: undefined })

    const plain = await callOnce((context) => {
      const controller = new AbortController()
      void server.nextArrival().then(() => controller.abort())
      return context.fetch(new Request(`${server.base}/never`, { signal: controller.signal }))
    }, 1000)
    expect(plain.error).toMatchObject({ name: 'AbortError' })
    expect(plain.error).not.toBeInstanceOf(OutboundTimeoutError)
  })

  it("keeps the caller's own timeout signal as the caller's", async () => {
    const result = await callOnce((context) => context.fetch(`${server.base}/never`, { signal: AbortSignal.timeout(60) }), 1000)
    expect(result.error).toMatchObject({ name: 'TimeoutError' })
    expect(result.error).not.toBeInstanceOf(OutboundTimeoutError)
    expect(result.afterMs).toBeLessThan(500)
  })

  it('releases a response whose body is never read when the invocation ends', async () => {
    let headersWithinMs = 0
    // The whole URL in the record (`describeTarget`), to tell the two calls apart: by default a
    // call is shown by its origin only.
    const result = await callOnce(
      async (context) => {
        const handlerStartedAt = context.deadline.elapsed()
        const response = await context.fetch(`${server.base}/trickle/20`)
        // The longest the headers can have taken; then 50 ms more of other work before the end.
        headersWithinMs = context.deadline.elapsed() - handlerStartedAt
        await (await context.fetch(`${server.base}/headers/50`)).text()
        return response.status
      },
      2000,
      { describeTarget: (url) => url.href },
    )
    expect(result.value).toBe(200)
    // Still pending when the handler returned; the end of the invocation aborted and released it.
    expect(result.calls.pending).toEqual([expect.objectContaining({ status: 200, outcome: undefined })])
    await vi.waitFor(() => expect(server.closedEarly()).toBeGreaterThan(0))
    // Answered, body not asked for: an answered call, for the time its headers took, not until the
    // end of the invocation (at least 50 ms later).
    const call = outboundCallsOf(result.deadline).recent.find((recorded) => recorded.url === `${server.base}/trickle/20`)
    expect(call).toMatchObject({ outcome: 'ok', status: 200 })
    expect(call?.durationMs).toBeLessThanOrEqual(headersWithinMs)
  })

  it('shows the calls in flight at the cutoff to cutoff listeners (the timeout record), how long each has run, then records them', async () => {
    let atCutoff: ReturnType<typeof outboundCallsOf> | undefined
    let cutoffAtMs = 0
    const result = await callOnce((context) => {
      context.deadline.onCutoff((deadline) => {
        atCutoff = outboundCallsOf(deadline)
        cutoffAtMs = deadline.elapsed()
      })
      return Promise.allSettled([
        context.fetch(`${server.base}/never?secret=1`),
        withDeadline((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), {
          label: 'db',
        }),
      ])
    }, 400)
    expect(atCutoff?.pending).toEqual([
      expect.objectContaining({ kind: 'fetch', method: 'GET', url: server.base, outcome: undefined }),
      expect.objectContaining({ kind: 'custom', label: 'db', outcome: undefined }),
    ])
    expect(atCutoff?.pending[0]?.durationMs).toBeGreaterThan(150)
    // Counted from each call's start, which came after the invocation's.
    expect(atCutoff?.pending[0]?.durationMs).toBeLessThanOrEqual(cutoffAtMs)
    expect(atCutoff?.dropped).toBe(0)
    expect(result.calls.pending).toEqual([])
    expect(result.calls.counts).toMatchObject({ started: 2, timeout: 2 })
  })

  it('gives an empty record for an invocation without any call', async () => {
    const result = await callOnce(async () => 'no call', 1000)
    expect(result.calls).toEqual({
      recent: [],
      pending: [],
      counts: { started: 0, ok: 0, error: 0, timeout: 0, aborted: 0 },
      totalDurationMs: 0,
      dropped: 0,
    })
  })

  it('keeps the record bounded: the last 50 calls and counters over all of them', async () => {
    const result = await callOnce(async (context) => {
      for (let i = 0; i < 60; i++) await (await context.fetch(`${server.base}/ok`)).text()
      return 'done'
    }, 3000)
    expect(result.calls.recent).toHaveLength(50)
    expect(result.calls.dropped).toBe(10)
    expect(result.calls.counts).toEqual({ started: 60, ok: 60, error: 0, timeout: 0, aborted: 0 })
    expect(result.calls.totalDurationMs).toBeGreaterThan(0)
  })

  it('stays bound to its own invocation: once that has ended it refuses to send', async () => {
    const arrivalsBefore = server.arrivals.length
    const result = await callOnce(async (context) => context.fetch, 1000)
    const leftover = result.value as OutboundFetchContext['fetch']
    await expect(leftover(`${server.base}/ok`)).rejects.toMatchObject({ name: 'InvocationEndedError' })
    expect(server.arrivals.length).toBe(arrivalsBefore)
  })

  it('records a network failure as an error and passes it through', async () => {
    const result = await callOnce((context) => context.fetch('http://127.0.0.1:1/refused'), 1000)
    expect(result.error).toBeInstanceOf(TypeError)
    expect(result.calls.recent[0]).toMatchObject({ outcome: 'error', label: '127.0.0.1:1' })
  })
})

describe('the response body', () => {
  /** What the call log shows while the handler still runs: before the body is read, and after. */
  const reading = (url: string, read: (response: Response) => Promise<unknown>, options: Partial<OutboundFetchTimeoutOptions> = {}) =>
    callOnce(
      async (context) => {
        const response = await context.fetch(url)
        const pendingBefore = outboundCallsOf(context.deadline).pending.length
        const value = await read(response)
        const { pending, recent } = outboundCallsOf(context.deadline)
        return { value, pendingBefore, pendingAfter: pending.length, outcome: recent[0]?.outcome, status: recent[0]?.status }
      },
      1000,
      options,
    )

  it('finishes a call whose response has no body (204) as answered, at once', async () => {
    const result = await reading(`${server.base}/empty`, async (response) => response.body)
    expect(result.value).toEqual({ value: null, pendingBefore: 0, pendingAfter: 0, outcome: 'ok', status: 204 })
  })

  it('keeps a call pending while its body is unread, and finishes it as answered once response.body is read to the end', async () => {
    const result = await reading(`${server.base}/ok`, async (response) => {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader()
      let text = ''
      for (let read = await reader.read(); !read.done; read = await reader.read()) text += new TextDecoder().decode(read.value)
      return text
    })
    expect(result.value).toEqual({ value: 'ok', pendingBefore: 1, pendingAfter: 0, outcome: 'ok', status: 200 })
  })

  it('finishes a call whose body the caller cancels as answered, at once, and closes the connection', async () => {
    const closedBefore = server.closedEarly()
    const result = await reading(
      `${server.base}/trickle/20`,
      async (response) => {
        await (response.body as ReadableStream<Uint8Array>).cancel('enough')
        // Before any limit could have cut it (the per-request limit is 5 s, the cutoff 800 ms away).
        await new Promise((resolve) => setImmediate(resolve))
        const { pending } = outboundCallsOf(currentDeadline() as Deadline)
        await vi.waitFor(() => expect(server.closedEarly()).toBe(closedBefore + 1))
        return pending.length
      },
      { perRequestMs: 5000 },
    )
    expect(result.value).toEqual({ value: 0, pendingBefore: 1, pendingAfter: 0, outcome: 'ok', status: 200 })
  })

  it('hands out one stream however often response.body is read, and finishes the call once it is read to the end', async () => {
    const result = await reading(`${server.base}/ok`, async (response) => {
      const body = response.body as ReadableStream<Uint8Array>
      const same = response.body === body
      const text = await new Response(body).text()
      return { same, text }
    })
    expect(result.value).toEqual({ value: { same: true, text: 'ok' }, pendingBefore: 1, pendingAfter: 0, outcome: 'ok', status: 200 })
  })

  it('hands back the body of another Response class (a Node stream) as it is, and watches the readers it has, adding none', async () => {
    const nodeStream = Readable.from(['other'])
    // A `fetch` option of another library: a body getter of its own, and `text()` only.
    class OtherResponse {
      readonly status = 200
      get body() {
        return nodeStream
      }
      async text() {
        return 'other'
      }
    }
    const result = await reading(
      'https://example.test/other',
      async (response) => ({ body: (response.body as unknown) === nodeStream, text: await response.text(), json: 'json' in response }),
      {
        fetch: async () => new OtherResponse() as unknown as Response,
      },
    )
    expect(result.value).toEqual({
      value: { body: true, text: 'other', json: false },
      pendingBefore: 1,
      pendingAfter: 0,
      outcome: 'ok',
      status: 200,
    })
  })
  it('hands back untouched a response with no body getter (a fetch option of another kind), the call finished as answered', async () => {
    const custom = { status: 201, body: 'raw' } as unknown as Response
    let returned: unknown
    const result = await reading(
      'https://example.test/custom',
      async (response) => {
        returned = response
        return response.body
      },
      { fetch: async () => custom },
    )
    expect(returned).toBe(custom)
    expect(result.value).toEqual({ value: 'raw', pendingBefore: 0, pendingAfter: 0, outcome: 'ok', status: 201 })
  })
})

describe('deadlineFetch (no context)', () => {
  const fetchOrders = (base: string) => deadlineFetch(`${base}/never`)

  it("uses the current invocation's deadline from code far from the handler", async () => {
    const result = await callOnce(() => fetchOrders(server.base), 400)
    expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
    expect(result.beforeHardDeadline).toBe(true)
  })

  it('is the plain global fetch outside any invocation', async () => {
    const init = { method: 'PUT' }
    const response = new Response('stub')
    const stub = vi.fn(async () => response)
    vi.stubGlobal('fetch', stub)
    try {
      expect(await deadlineFetch('https://example.test/x?y=1', init)).toBe(response)
      expect(stub).toHaveBeenCalledWith('https://example.test/x?y=1', init)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('uses the fetch given as an option', async () => {
    const stub = vi.fn(async (_input: string | URL | Request, _init?: RequestInit) => new Response('from stub'))
    const handler = chain(async () => (await deadlineFetch('https://example.test/a')).text(), { fetch: stub })
    expect(await handler({}, createLambdaContext({ timeoutMs: 1000 }))).toBe('from stub')
    expect(stub.mock.calls[0]?.[1]?.signal).toBeInstanceOf(AbortSignal)
  })
})

describe('context.fetch: how a call ends', () => {
  /** A `fetch` option that answers after `ms` unless its signal aborts first, then fails with `onAbort`. */
  const slowFetch =
    (ms: number, onAbort: Error) =>
    (_input: unknown, init?: RequestInit): Promise<Response> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve(new Response('late')), ms)
        init?.signal?.addEventListener('abort', () => {
          clearTimeout(timer)
          reject(onAbort)
        })
      })

  it('at the per-request limit: a 504 the caller may show, its message naming the limit, what fetch failed with as its cause', async () => {
    const socketClosed = new Error('socket closed by the limit')
    const result = await callOnce((context) => context.fetch('https://api.test/slow'), 2000, {
      perRequestMs: 50,
      minimumMs: 10,
      fetch: slowFetch(1000, socketClosed),
    })
    expect(result.error).toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({
      statusCode: 504,
      expose: true,
      limit: 'operation',
      message: 'Timed out (outbound call): no complete response within the per-request limit of 50 ms',
    })
    expect((result.error as Error).cause).toBe(socketClosed)
  })

  it("with the caller's signal aborted before the call: never sent, the caller's reason, recorded as aborted", async () => {
    const reason = new Error('the user went away')
    let sent = 0
    const result = await callOnce((context) => context.fetch('https://api.test/a', { signal: AbortSignal.abort(reason) }), 1000, {
      fetch: async () => {
        sent++
        return new Response('ok')
      },
    })
    expect(result.error).toBe(reason)
    expect(sent).toBe(0)
    expect(result.calls.pending).toEqual([])
    expect(result.calls.recent).toEqual([expect.objectContaining({ kind: 'fetch', outcome: 'aborted', limit: undefined })])
  })

  it('with a fetch option that ignores its signal: recorded as cut when the limit comes, though that fetch has not returned', async () => {
    let limitCame: () => void = () => {}
    const cut = new Promise<void>((resolve) => {
      limitCame = resolve
    })
    const result = await callOnce(
      async (context) => {
        void context.fetch('https://api.test/deaf').catch(() => undefined)
        await cut
        // The call's record is written a microtask after its signal aborted.
        await new Promise((resolve) => setImmediate(resolve))
        return outboundCallsOf(context.deadline).recent
      },
      2000,
      {
        perRequestMs: 50,
        minimumMs: 10,
        // Never answers, and does not listen to its signal: only the test does.
        fetch: (_input, init) => {
          init?.signal?.addEventListener('abort', () => limitCame())
          return new Promise(() => {})
        },
      },
    )
    expect(result.value).toEqual([expect.objectContaining({ kind: 'fetch', outcome: 'timeout', limit: 'operation' })])
  })

  it('with a fetch option whose body ignores its signal: recorded as cut when the limit comes, while the caller still reads it', async () => {
    let limitCame: () => void = () => {}
    const cut = new Promise<void>((resolve) => {
      limitCame = resolve
    })
    const result = await callOnce(
      async (context) => {
        const response = await context.fetch('https://api.test/trickle')
        void response.text().catch(() => undefined)
        await cut
        // The call's record is written a microtask after its signal aborted.
        await new Promise((resolve) => setImmediate(resolve))
        return outboundCallsOf(context.deadline).recent
      },
      2000,
      {
        perRequestMs: 50,
        minimumMs: 10,
        // Answers at once with a body that never ends, and does not listen to its signal.
        fetch: async (_input, init) => {
          init?.signal?.addEventListener('abort', () => limitCame())
          return new Response(new ReadableStream({ pull: () => new Promise<void>(() => {}) }))
        },
      },
    )
    expect(result.value).toEqual([expect.objectContaining({ kind: 'fetch', outcome: 'timeout', limit: 'operation' })])
  })

  it('with a fetch option that ignores its signal: the caller gets the timeout error at the limit, and that fetch failing later leaves nothing behind', {
    retry: 0,
  }, async () => {
    let failLate: (error: Error) => void = () => {}
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const result = await callOnce(
        async (context) => {
          // Should the caller still be waiting at the cutoff, the fetch fails there: the test ends.
          context.deadline.onCutoff(() => failLate(new Error('no answer')))
          const timers = watchTimers()
          const error = await context.fetch('https://api.test/deaf').catch((caught: unknown) => caught)
          const cutoffReached = context.deadline.cutoffReached
          failLate(new Error('no answer'))
          // Node reports an unhandled rejection once the microtasks have run.
          await new Promise((resolve) => setImmediate(resolve))
          return { error, cutoffReached, left: await timers.left() }
        },
        1000,
        {
          perRequestMs: 50,
          minimumMs: 10,
          // Does not listen to its signal; fails only when the test says so.
          fetch: () =>
            new Promise<Response>((_resolve, reject) => {
              failLate = reject
            }),
        },
      )
      const { error, cutoffReached, left } = result.value as { error: unknown; cutoffReached: boolean; left: number }
      expect(error).toBeInstanceOf(OutboundTimeoutError)
      expect(error).toMatchObject({
        name: 'TimeoutError',
        limit: 'operation',
        label: 'api.test',
        message: 'Timed out (outbound call): no complete response within the per-request limit of 50 ms',
      })
      // At the per-request limit, 750 ms before the cutoff: not when the fetch gave up.
      expect(cutoffReached).toBe(false)
      expect(left).toBe(0)
      expect(unhandled).toEqual([])
      expect(result.calls.recent).toEqual([expect.objectContaining({ kind: 'fetch', outcome: 'timeout', limit: 'operation' })])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})

describe('OutboundTimeoutError', () => {
  it('made by hand (a test double of a call): sent unless told otherwise, elapsedMs rounded, a 504 to show', () => {
    const error = new OutboundTimeoutError({ label: 'postgres', method: undefined, url: undefined }, 'operation', 12.6, 'a test double')
    expect(error).toMatchObject({
      name: 'TimeoutError',
      message: 'Timed out (outbound call): a test double',
      label: 'postgres',
      limit: 'operation',
      elapsedMs: 13,
      sent: true,
      statusCode: 504,
      expose: true,
    })
  })
})

describe('context.fetch as a property of the context', () => {
  it('is hidden and read-only like context.deadline, and set again for each invocation of a context used twice', async () => {
    const context = createLambdaContext<OutboundFetchContext>({ timeoutMs: 2000 })
    const handler = chain(
      async (_event, ctx) => {
        await (await ctx.fetch('https://api.test/a')).text()
        const assign = () => {
          ;(ctx as { fetch: unknown }).fetch = globalThis.fetch
        }
        expect(assign).toThrow(TypeError)
        return { keys: Object.keys(ctx), calls: outboundCallsOf(ctx.deadline).counts.started }
      },
      { fetch: async () => new Response('ok') },
    )
    // A test (or a local runner) may hand the same context object to several invocations.
    for (let i = 0; i < 2; i++) {
      const { keys, calls } = (await handler({}, context)) as { keys: string[]; calls: number }
      expect(keys).not.toContain('fetch')
      expect(calls).toBe(1)
    }
  })
})

// Run once: a warning is said once per process, and a retry would not say it again. Each case
// loads the package afresh (`vi.resetModules`), with no warning said yet.
describe('context.fetch: used twice in one chain', { retry: 0 }, () => {
  const ownFetch = async () => new Response('ok')
  const describeTarget = (url: URL) => url.href
  const outer: Partial<OutboundFetchTimeoutOptions> = { perRequestMs: 800, minimumMs: 100, fetch: ownFetch, describeTarget }

  it.each([
    ['perRequestMs', { perRequestMs: 900 }],
    ['minimumMs', { minimumMs: 50 }],
    ['patchGlobalFetch', { patchGlobalFetch: true }],
    ['fetch', { fetch: async () => new Response('other') }],
    ['describeTarget', { describeTarget: (url: URL) => url.origin }],
  ])('with options that differ only in %s, says that the inner one is ignored', async (_option, differs) => {
    vi.resetModules()
    const fresh = await import('@middy-deadline/outbound-fetch-timeout')
    const stderr = captureStderr()
    const handler = middy(async () => 'done')
      .use(fresh.outboundFetchTimeout(outer))
      .use(fresh.outboundFetchTimeout({ ...outer, ...differs }))
    await handler({}, createLambdaContext({ timeoutMs: 2000 }))
    expect(stderr.lines().map((line) => line.message)).toEqual([
      'outboundFetchTimeout used twice in one chain with different options: the outer one applies, the inner one is ignored',
    ])
  })

  it('with the same options, given as two objects, says nothing', async () => {
    vi.resetModules()
    const fresh = await import('@middy-deadline/outbound-fetch-timeout')
    const stderr = captureStderr()
    const handler = middy(async () => 'done')
      .use(fresh.outboundFetchTimeout({ ...outer }))
      .use(fresh.outboundFetchTimeout({ ...outer }))
    await handler({}, createLambdaContext({ timeoutMs: 2000 }))
    expect(stderr.chunks).toEqual([])
  })
})

// Run once: the checks count timers, state a retry does not start from.
describe('context.fetch: nothing of a call left armed once it settled', { retry: 0 }, () => {
  it('answered and its body read, or failed', async () => {
    let fail = false
    const result = await callOnce(
      async (context) => {
        // The deadline's own cutoff timer, armed first: only the calls' timers are counted.
        context.deadline.onCutoff(() => {})
        const timers = watchTimers()
        await (await context.fetch('https://api.test/a')).text()
        fail = true
        await context.fetch('https://api.test/b').catch(() => undefined)
        return timers.left()
      },
      3000,
      {
        perRequestMs: 1000,
        fetch: async () => {
          if (fail) throw new Error('connection reset')
          return new Response('ok')
        },
      },
    )
    expect(result.value).toBe(0)
    expect(result.calls.counts).toMatchObject({ started: 2, ok: 1, error: 1 })
  })
})

describe('the response body, as fetch hands it back', () => {
  const readOnce = (read: (response: Response) => Promise<unknown>) =>
    callOnce(async (context) => read(await context.fetch('https://api.test/a')), 2000, {
      fetch: async () => new Response('the body'),
    })

  it('can still be read with text() after `if (response.body)` and other work', async () => {
    const result = await readOnce(async (response) => {
      if (!response.body) return 'no body'
      await new Promise((resolve) => setImmediate(resolve))
      return response.text()
    })
    expect(result.value).toBe('the body')
    expect(result.calls.recent).toEqual([expect.objectContaining({ outcome: 'ok' })])
  })

  it('keeps its readers and its body replaceable, as on a Response straight from fetch (a test double that stubs json())', async () => {
    const result = await readOnce(async (response) => {
      response.json = async () => ({ stubbed: true })
      Object.defineProperty(response, 'text', { get: () => async () => 'redefined' })
      Object.defineProperty(response, 'body', { value: null })
      return [await response.json(), await response.text(), response.body]
    })
    expect(result.value).toEqual([{ stubbed: true }, 'redefined', null])
  })
})
