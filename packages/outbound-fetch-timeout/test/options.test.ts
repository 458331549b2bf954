import { DeadlineOptionError } from '@middy-deadline/deadline'
import { type OutboundFetchTimeoutOptions, outboundFetchTimeout, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { awsSdkDeadlinePlugin } from '@middy-deadline/outbound-fetch-timeout/aws-sdk'
import { describe, expect, it } from 'vitest'

describe('options', () => {
  it('are checked when the middleware is created, with the option and package named', () => {
    const create = (options: Record<string, unknown>) => () => outboundFetchTimeout(options as Partial<OutboundFetchTimeoutOptions>)
    expect(create({ perRequestMs: 0 })).toThrow(
      '@middy-deadline/outbound-fetch-timeout: option `perRequestMs` must be a number of milliseconds in (0, 900000], got 0',
    )
    expect(create({ perRequestMs: '2000' })).toThrow(DeadlineOptionError)
    expect(create({ minimumMs: -1 })).toThrow('option `minimumMs` must be a number of milliseconds in [0, 900000], got -1')
    expect(create({ perRequestMs: 50, minimumMs: 100 })).toThrow(/option `minimumMs` must not exceed perRequestMs \(50\), got 100/)
    expect(create({ patchGlobalFetch: 'yes' })).toThrow('option `patchGlobalFetch` must be one of true, false, got "yes"')
    expect(create({ fetch: 'node-fetch' })).toThrow(/option `fetch` must be a function/)
    expect(create({ timeoutMs: 100 })).toThrow(
      /option `timeoutMs` is unknown \(known: perRequestMs, minimumMs, describeTarget, patchGlobalFetch, fetch\)/,
    )
    expect(create({ perRequestMs: 2000, minimumMs: 0, patchGlobalFetch: true, fetch: globalThis.fetch })).not.toThrow()
  })

  it('are checked when the AWS SDK plugin is created', () => {
    expect(() => awsSdkDeadlinePlugin({}, { perRequestMs: -5 })).toThrow(/option `perRequestMs`/)
    expect(() => awsSdkDeadlinePlugin({}, { perRequestMs: 100, minimumMs: 200 })).toThrow(/option `minimumMs`/)
    // Without the client's config there is no request handler to hand the attempt's signal to.
    expect(() => awsSdkDeadlinePlugin(undefined as never)).toThrow(
      '@middy-deadline/outbound-fetch-timeout: option `config` must be an object, got undefined',
    )
  })

  it('reject a signal of withDeadline that is not an AbortSignal, at the call', () => {
    expect(() => withDeadline(Promise.resolve(1), { signal: 'stop' as never })).toThrow(
      '@middy-deadline/outbound-fetch-timeout: option `signal` must be an AbortSignal, got "stop"',
    )
  })

  it('reject a bad timeoutMs of withDeadline at the call', () => {
    expect(() => withDeadline(Promise.resolve(1), { timeoutMs: 0 })).toThrow(
      'option `timeoutMs` must be a number of milliseconds in (0, 900000], got 0',
    )
  })

  it('names its functions, for the plugin hooks and the timing record', () => {
    const { before, after, onError } = outboundFetchTimeout()
    expect([before?.name, after?.name, onError?.name]).toEqual([
      'outboundFetchTimeoutBefore',
      'outboundFetchTimeoutAfter',
      'outboundFetchTimeoutOnError',
    ])
  })
})
