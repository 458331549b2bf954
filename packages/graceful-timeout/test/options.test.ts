import { DeadlineOptionError } from '@middy-deadline/deadline'
import { type GracefulTimeoutOptions, gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import { describe, expect, it } from 'vitest'

describe('gracefulTimeout options', () => {
  it.each([
    [{ reserveMs: 0 }, 'option `reserveMs` must be a number of milliseconds in (0, 900000], got 0'],
    [{ reserveMs: -5 }, 'option `reserveMs` must be a number of milliseconds in (0, 900000], got -5'],
    [{ reserveMs: '500' }, 'option `reserveMs` must be a number of milliseconds in (0, 900000], got "500"'],
    [{ onTimeout: [() => {}, 'flush'] }, 'option `onTimeout[1]` must be a function, got "flush"'],
    [{ onTimeout: Array.from({ length: 17 }, () => () => {}) }, 'option `onTimeout` must have at most 16 entries, got 17'],
    [{ timeoutResponse: { statusCode: 504 } }, 'option `timeoutResponse` must be a function, got an object'],
    [{ logger: console.log }, 'option `logger.error` must be a function, got undefined'],
    [{ reserve: 500 }, 'option `reserve` is unknown (known: reserveMs, onTimeout, timeoutResponse, logger, watchdog)'],
  ])('rejects %j when the middleware is created', (options, message) => {
    expect(() => gracefulTimeout(options as unknown as Partial<GracefulTimeoutOptions>)).toThrow(DeadlineOptionError)
    expect(() => gracefulTimeout(options as unknown as Partial<GracefulTimeoutOptions>)).toThrow(message)
  })

  // `watchdog: true` was the option's first form: the message says what replaced it.
  it.each([
    [true, 'true'],
    [false, 'false'],
    ['yes', '"yes"'],
    [{ watch: true }, 'an object'],
    [{ watch: () => undefined, prepare: 1 }, 'an object'],
  ])('rejects watchdog: %j, saying what to import instead', (value, got) => {
    const create = () => gracefulTimeout({ watchdog: value } as unknown as Partial<GracefulTimeoutOptions>)
    expect(create).toThrow(DeadlineOptionError)
    expect(create).toThrow(
      `@middy-deadline/graceful-timeout: option \`watchdog\` must be the watchdog thread of its own entry point, or left out (import { watchdog } from '@middy-deadline/graceful-timeout/watchdog', then gracefulTimeout({ watchdog })), got ${got}`,
    )
  })

  it('takes the watchdog of its own entry point', () => {
    expect(() => gracefulTimeout({ watchdog })).not.toThrow()
  })

  it('accepts one hook or a list, and gives Middy options with the same reserve', () => {
    expect(gracefulTimeout({ onTimeout: () => {} }).plugin.timeoutEarlyInMillis).toBe(500)
    expect(gracefulTimeout({ reserveMs: 1200.4, onTimeout: [() => {}] }).plugin.timeoutEarlyInMillis).toBe(1200)
  })

  it('names its functions, for the plugin hooks and the timeout record', () => {
    const { before, after, onError } = gracefulTimeout()
    expect([before?.name, after?.name, onError?.name]).toEqual(['gracefulTimeoutBefore', 'gracefulTimeoutAfter', 'gracefulTimeoutOnError'])
  })
})
