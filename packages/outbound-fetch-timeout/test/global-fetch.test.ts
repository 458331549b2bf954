import middy from '@middy/core'
import { type DeadlineContext, deadline } from '@middy-deadline/deadline'
import {
  isGlobalFetchPatched,
  type OutboundFetchContext,
  OutboundTimeoutError,
  outboundCallsOf,
  outboundFetchTimeout,
  restoreGlobalFetch,
} from '@middy-deadline/outbound-fetch-timeout'
import { createLambdaContext } from '@middy-deadline/testing'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { hardDeadlineNear } from '../../../test/support/hard-deadline.js'
import { captureStderr } from '../../../test/support/output.js'
import { localServer, restoreGlobalFetchAfterEach } from './server.js'

const server = localServer()
restoreGlobalFetchAfterEach()

// Node's first fetch loads and compiles undici (250-400 ms of a blocked event loop on a loaded
// machine, past the first invocation's cutoff): the runtime's cold start, done before the tests.
beforeAll(async () => {
  await (await fetch(`${server.base}/ok`)).text()
})

/** Stands for a library that calls the global `fetch` and knows nothing of the invocation. */
const thirdPartyClient = { get: (url: string) => fetch(url).then((response) => response.text()) }

const patched = (reserveMs = 150) =>
  middy<{ path: string }, unknown, Error, OutboundFetchContext>(
    async (event: { path: string }, context: OutboundFetchContext) => {
      // Times are ms since the invocation started, as its deadline counts them: its cutoff is
      // `timeoutMs - reserveMs` on that clock less however late a loaded machine started it.
      // `beforeHardDeadline`: the call settled before a timer due 10 ms before the hard deadline
      // fired, an ordering a late timer cannot break (test/support/hard-deadline.ts).
      const near = hardDeadlineNear(context.deadline)
      const cutoffMs = context.deadline.budgetMs - context.deadline.reserveMs
      try {
        return { text: await thirdPartyClient.get(`${server.base}${event.path}`), afterMs: context.deadline.elapsed() }
      } catch (error) {
        const afterMs = context.deadline.elapsed()
        return { error, afterMs, cutoffMs, beforeHardDeadline: !near.passed, calls: outboundCallsOf(context.deadline) }
      } finally {
        near.cancel()
      }
    },
    { timeoutEarlyInMillis: 0 },
  )
    .use(deadline({ reserveMs }))
    .use(outboundFetchTimeout({ patchGlobalFetch: true, perRequestMs: 5000 }))

describe('patchGlobalFetch', () => {
  it('bounds third-party calls to the global fetch by the invocation cutoff', async () => {
    // 600 ms, not 300: a call with less than `minimumMs` (100) left before the cutoff is refused,
    // not sent, and a loaded machine started the handler more than 50 ms late.
    const result = (await patched()({ path: '/never' }, createLambdaContext({ timeoutMs: 600 }))) as {
      error: unknown
      afterMs: number
      cutoffMs: number
      beforeHardDeadline: boolean
    }
    expect(result.error).toBeInstanceOf(OutboundTimeoutError)
    expect(result.error).toMatchObject({ limit: 'cutoff' })
    expect(result.afterMs).toBeGreaterThanOrEqual(result.cutoffMs - 20)
    expect(result.beforeHardDeadline).toBe(true)
  })

  it('is installed at the first invocation, not when the middleware is created', async () => {
    const handler = patched()
    expect(isGlobalFetchPatched()).toBe(false)
    await handler({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
    expect(isGlobalFetchPatched()).toBe(true)
  })

  it('bounds each concurrent invocation by its own deadline, through the same global fetch', async () => {
    const handler = patched()
    // Each at least 450 ms before its cutoff, as above (minimumMs).
    const timeouts = [600, 700, 850, 1000, 640, 780]
    const results = (await Promise.all(timeouts.map((timeoutMs) => handler({ path: '/never' }, createLambdaContext({ timeoutMs }))))) as {
      error: unknown
      afterMs: number
      cutoffMs: number
      beforeHardDeadline: boolean
      calls: ReturnType<typeof outboundCallsOf>
    }[]
    for (const [i, result] of results.entries()) {
      expect(result.error).toMatchObject({ name: 'TimeoutError', limit: 'cutoff' })
      // Its own cutoff, not another invocation's: at most its timeout less the reserve.
      expect(result.cutoffMs).toBeLessThanOrEqual((timeouts[i] as number) - 150)
      expect(result.afterMs).toBeGreaterThanOrEqual(result.cutoffMs - 20)
      // Not before its own cutoff, and before its own hard deadline (150 ms later), however late
      // a loaded machine runs the cutoff's timer: settled before the test's timer due 10 ms before it.
      expect(result.beforeHardDeadline).toBe(true)
      // Each invocation records only its own call.
      expect(result.calls.counts.started).toBe(1)
    }
  })

  it('is exactly the original outside any invocation', async () => {
    const response = new Response('original')
    const original = vi.fn(async (_input: string | URL | Request, _init?: RequestInit) => response)
    vi.stubGlobal('fetch', original)
    await patched()({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
    expect(globalThis.fetch).not.toBe(original)
    original.mockClear()
    const init = { headers: { a: 'b' } }
    expect(await fetch('https://example.test/?q=1', init)).toBe(response)
    expect(original).toHaveBeenCalledTimes(1)
    expect(original.mock.calls[0]).toEqual(['https://example.test/?q=1', init])
    expect(original.mock.calls[0]?.[1]).toBe(init)
  })

  it('leaves the global fetch alone in an invocation whose chain did not ask for it', async () => {
    await patched()({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
    const plain = middy(async () => {
      const started = performance.now()
      const text = await thirdPartyClient.get(`${server.base}/headers/250`)
      return { text, afterMs: performance.now() - started }
    })
      .use(deadline({ reserveMs: 50 }))
      .use(outboundFetchTimeout({ perRequestMs: 100 }))
    // perRequestMs would cut this call at 100 ms; the global fetch is not bound here, so it completes.
    expect(await plain({}, createLambdaContext({ timeoutMs: 1000 }))).toMatchObject({ text: 'late' })
  })

  it('is not installed by an invocation whose chain did not ask for it', async () => {
    const before = globalThis.fetch
    await middy(async () => 'done').use(outboundFetchTimeout())({}, createLambdaContext({ timeoutMs: 1000 }))
    expect(globalThis.fetch).toBe(before)
    expect(isGlobalFetchPatched()).toBe(false)
  })

  it('is the plain fetch in an invocation of a chain without outboundFetchTimeout, once another function patched it', async () => {
    const reached: unknown[] = []
    vi.stubGlobal('fetch', async (_input: unknown, init?: RequestInit) => {
      reached.push(init)
      return new Response('ok')
    })
    await patched()({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
    reached.length = 0
    const deadlineOnly = middy(async (_event: unknown, context: DeadlineContext) => {
      await (await fetch('https://api.test/x')).text()
      return outboundCallsOf(context.deadline).counts.started
    }).use(deadline())
    expect(await deadlineOnly({}, createLambdaContext({ timeoutMs: 1000 }))).toBe(0)
    // Not bounded: no signal of ours on the call.
    expect(reached).toEqual([undefined])
  })

  it('left behind by restoreGlobalFetch() in the middle of an invocation (kept by a library), passes its calls through', async () => {
    const reached: unknown[] = []
    vi.stubGlobal('fetch', async (_input: unknown, init?: RequestInit) => {
      reached.push(init)
      return new Response('ok')
    })
    const handler = middy(async (_event: unknown, context: OutboundFetchContext) => {
      const kept = globalThis.fetch
      restoreGlobalFetch()
      await (await kept('https://api.test/x')).text()
      return outboundCallsOf(context.deadline).counts.started
    }).use(outboundFetchTimeout({ patchGlobalFetch: true }))
    expect(await handler({}, createLambdaContext({ timeoutMs: 1000 }))).toBe(0)
    expect(reached).toEqual([undefined])
  })

  it('never wraps twice, whatever number of middlewares or invocations install it', async () => {
    const original = globalThis.fetch
    const first = patched()
    const second = patched()
    await first({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
    const wrapper = globalThis.fetch
    await second({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
    await first({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
    expect(globalThis.fetch).toBe(wrapper)
    expect(restoreGlobalFetch()).toBe(true)
    expect(globalThis.fetch).toBe(original)
    expect(restoreGlobalFetch()).toBe(false)
  })

  it('bounds a call once, even when the patched global is handed back as the fetch option', async () => {
    vi.stubGlobal('fetch', async () => new Response('stub'))
    await patched()({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
    const handler = middy(async (_event: unknown, context: OutboundFetchContext) => {
      await (await context.fetch('https://api.test/x')).text()
      await (await fetch('https://api.test/y')).text()
      return outboundCallsOf(context.deadline).counts
    }).use(outboundFetchTimeout({ patchGlobalFetch: true, fetch: globalThis.fetch }))
    expect(await handler({}, createLambdaContext({ timeoutMs: 1000 }))).toMatchObject({ started: 2, ok: 2 })
  })

  describe('with another library that wraps fetch after us', () => {
    const counted = () =>
      middy(async (_event: unknown, context: OutboundFetchContext) => {
        await (await fetch('https://api.test/x')).text()
        return outboundCallsOf(context.deadline).counts
      }).use(outboundFetchTimeout({ patchGlobalFetch: true }))
    /** A library's wrapper (an APM agent, a mock): counts what goes through, calls what it wrapped. */
    const wrapGlobal = () => {
      const wrapped = globalThis.fetch
      const seen: unknown[] = []
      globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
        seen.push(init?.signal)
        return wrapped(input, init)
      }
      return seen
    }

    it('restore, then patch again: every call is bounded and counted once, the orphaned wrapper passes it through', async () => {
      const original = globalThis.fetch
      const reached: unknown[] = []
      vi.stubGlobal('fetch', async (_input: unknown, init?: RequestInit) => {
        reached.push(init?.signal)
        return new Response('ok')
      })
      try {
        expect(await counted()({}, createLambdaContext())).toMatchObject({ started: 1, ok: 1 })
        const seen = wrapGlobal()
        // Our wrapper is under the library's now: restoring cannot take it out, only make it inert.
        expect(restoreGlobalFetch()).toBe(false)
        expect(await counted()({}, createLambdaContext())).toMatchObject({ started: 1, ok: 1 })
        expect(await counted()({}, createLambdaContext())).toMatchObject({ started: 1, ok: 1 })
        // The library saw each call once, with the signal of the one bound we put on it.
        expect(seen).toHaveLength(2)
        expect(seen.every((signal) => signal instanceof AbortSignal)).toBe(true)
        expect(reached.slice(1)).toEqual(seen)
        // Outside an invocation, the chain is the original's all the way down.
        await (await fetch('https://api.test/outside')).text()
        expect(reached.at(-1)).toBeUndefined()
      } finally {
        restoreGlobalFetch()
        globalThis.fetch = original
      }
    })

    it('a fetch option that calls the patched global bounds and counts a call once', async () => {
      vi.stubGlobal('fetch', async () => new Response('ok'))
      await patched()({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
      const viaGlobal = (input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init)
      const handler = middy(async (_event: unknown, context: OutboundFetchContext) => {
        await (await context.fetch('https://api.test/x')).text()
        return outboundCallsOf(context.deadline).counts
      }).use(outboundFetchTimeout({ patchGlobalFetch: true, fetch: viaGlobal }))
      expect(await handler({}, createLambdaContext({ timeoutMs: 1000 }))).toMatchObject({ started: 1, ok: 1 })
    })
  })

  it('says once that there is no global fetch to patch where there is none, and the invocation runs all the same', async () => {
    const stderr = captureStderr()
    vi.stubGlobal('fetch', undefined)
    const handler = middy(async () => 'done').use(outboundFetchTimeout({ patchGlobalFetch: true }))
    expect(await handler({}, createLambdaContext({ timeoutMs: 1000 }))).toBe('done')
    expect(await handler({}, createLambdaContext({ timeoutMs: 1000 }))).toBe('done')
    expect(globalThis.fetch).toBeUndefined()
    expect(stderr.chunks.filter((line) => line.includes('no global fetch'))).toEqual([
      `${JSON.stringify({
        level: 'WARN',
        package: '@middy-deadline/outbound-fetch-timeout',
        message: 'patchGlobalFetch: there is no global fetch to patch; calls through it are not bounded',
      })}\n`,
    ])
  })

  it('does not stack a second wrapper over a fetch that replaced ours, and says so once', async () => {
    const stderr = captureStderr()
    const original = globalThis.fetch
    try {
      await patched()({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
      const ours = globalThis.fetch
      const replacement = (input: string | URL | Request, init?: RequestInit) => ours(input, init)
      globalThis.fetch = replacement
      await patched()({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
      await patched()({ path: '/ok' }, createLambdaContext({ timeoutMs: 1000 }))
      expect(globalThis.fetch).toBe(replacement)
      const warnings = stderr.chunks.filter((line) => line.includes('was replaced'))
      expect(warnings).toHaveLength(1)
      // Restoring leaves the replacement in place and forgets our patch.
      expect(restoreGlobalFetch()).toBe(false)
      expect(globalThis.fetch).toBe(replacement)
    } finally {
      globalThis.fetch = original
    }
  })
})
