import { Deadline, DeadlineOptionError, deadline } from '@middy-deadline/deadline'
import { checkOptions, fn, integer, list, ms, nested, oneOf, text, withMethods } from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it } from 'vitest'

describe('deadline() options', () => {
  it.each([
    [{ reserveMs: -1 }, 'option `reserveMs` must be a number of milliseconds in [0, 900000], got -1'],
    [{ reserveMs: Number.NaN }, 'option `reserveMs` must be a number of milliseconds in [0, 900000], got NaN'],
    [{ reserveMs: '500' }, 'option `reserveMs` must be a number of milliseconds in [0, 900000], got "500"'],
    [{ reserveMs: 16 * 60 * 1000 }, 'option `reserveMs` must be a number of milliseconds in [0, 900000], got 960000'],
    [{ reserveMs: Number.POSITIVE_INFINITY }, 'must be a number of milliseconds in [0, 900000], got Infinity'],
    [{ reserveMS: 500 }, 'option `reserveMS` is unknown (known: reserveMs)'],
    [null, 'option `options` must be an object, got null'],
    ['500', 'option `options` must be an object, got "500"'],
  ])('rejects %o when the middleware is created, naming the option and the package', (options, message) => {
    const create = () => deadline(options as never)
    expect(create).toThrow(DeadlineOptionError)
    expect(create).toThrow(`@middy-deadline/deadline: ${message.startsWith('option') ? message : ''}`)
    expect(create).toThrow(message)
  })

  it('accepts the defaults and valid values', () => {
    expect(deadline()).toHaveProperty('before')
    expect(deadline({ reserveMs: 0 })).toHaveProperty('after')
  })
})

const SPEC = {
  waitMs: ms(100),
  count: integer(3, 1, 10),
  mode: oneOf(['fast', 'slow'], 'fast'),
  hooks: list(fn(), 2),
  label: text(8, 'none'),
  sink: withMethods<{ write(): void }>('write'),
  emf: nested({ namespace: text(255) }),
}
const check = (options: unknown) => checkOptions('@middy-deadline/example', SPEC, options)

describe('checkOptions', () => {
  const polluted = ['waitMs', 'hooks', 'sink', 'write', 'label', 'namespace'] as const
  afterEach(() => {
    for (const key of polluted) delete (Object.prototype as Record<string, unknown>)[key]
  })

  it('fills in the defaults and returns every option of the description', () => {
    expect(check(undefined)).toEqual({ waitMs: 100, count: 3, mode: 'fast', hooks: [], label: 'none', sink: undefined, emf: undefined })
    const hook = () => {}
    expect(check({ hooks: hook, emf: { namespace: 'app' } })).toMatchObject({ hooks: [hook], emf: { namespace: 'app' } })
  })

  it.each([
    [{ waitMs: -1 }, 'option `waitMs` must be a number of milliseconds in [0, 900000], got -1'],
    [{ count: 2.5 }, 'option `count` must be a whole number in [1, 10], got 2.5'],
    [{ count: 11 }, 'option `count` must be a whole number in [1, 10], got 11'],
    [{ mode: 'medium' }, 'option `mode` must be one of "fast", "slow", got "medium"'],
    [{ hooks: [() => {}, () => {}, () => {}] }, 'option `hooks` must have at most 2 entries, got 3'],
    [{ hooks: [() => {}, undefined] }, 'option `hooks[1]` must be given, got undefined'],
    [{ label: 'a very long label' }, 'option `label` must be a non-empty string of at most 8 characters, got "a very long label"'],
    [{ label: '  ' }, 'option `label` must be a non-empty string of at most 8 characters, got "  "'],
    [{ sink: {} }, 'option `sink.write` must be a function, got undefined'],
    [{ sink: 'stdout' }, 'option `sink` must be an object with write(), got "stdout"'],
    [{ emf: { namespace: 'app', unit: 'ms' } }, 'option `emf.unit` is unknown (known: namespace)'],
    [{ emf: {} }, 'option `emf.namespace` must be a non-empty string of at most 255 characters, got undefined'],
    [{ wait: 5 }, 'option `wait` is unknown (known: waitMs, count, mode, hooks, label, sink, emf)'],
    [42, 'option `options` must be an object, got 42'],
    [null, 'option `options` must be an object, got null'],
    [10n, 'option `options` must be an object, got 10n'],
    [Symbol('options'), 'option `options` must be an object, got Symbol(options)'],
  ])('refuses %o with the package and the option named', (options, message) => {
    expect(() => check(options)).toThrow(DeadlineOptionError)
    expect(() => check(options)).toThrow(`@middy-deadline/example: ${message}`)
  })

  it('reads only own properties: a polluted Object.prototype supplies no option, hook or method', () => {
    const hook = () => {}
    const prototype = Object.prototype as Record<string, unknown>
    prototype.waitMs = 5
    prototype.hooks = [hook]
    prototype.sink = { write: hook }
    prototype.label = 'evil'
    expect(check({})).toMatchObject({ waitMs: 100, hooks: [], sink: undefined, label: 'none' })
    // A method must be the object's (or its class's), never the prototype's.
    prototype.write = hook
    expect(() => check({ sink: {} })).toThrow('option `sink.write` must be a function, got undefined')
    class Sink {
      write() {}
    }
    const sink = new Sink()
    expect(check({ sink }).sink).toBe(sink)
  })

  it('turns a getter that throws, or a proxy that throws on every access, into an option error', () => {
    const getter = Object.defineProperty({}, 'waitMs', {
      enumerable: true,
      get() {
        throw Object.create(null)
      },
    })
    expect(() => check(getter)).toThrow('@middy-deadline/example: option `waitMs` could not be read (an object)')
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no')
        },
        ownKeys() {
          throw new Error('no keys')
        },
      },
    )
    expect(() => check(hostile)).toThrow('@middy-deadline/example: option `options` could not be read (Error: no keys)')
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(() => check(proxy)).toThrow(DeadlineOptionError)
    expect(() => check({ sink: proxy })).toThrow(DeadlineOptionError)
  })
})

describe('deadline.scope() arguments', () => {
  it('refuses a timeout that is not a number of milliseconds, and a signal that is not one', () => {
    const deadline = new Deadline({ context: createLambdaContext({ timeoutMs: 10_000 }) })
    expect(() => deadline.scope(-1)).toThrow(
      '@middy-deadline/deadline: option `timeoutMs` must be a number of milliseconds in [0, Infinity], got -1',
    )
    expect(() => deadline.scope(Number.NaN)).toThrow(DeadlineOptionError)
    expect(() => deadline.scope('100' as never)).toThrow('option `timeoutMs` must be a number of milliseconds in [0, Infinity], got "100"')
    // More than a Node timer holds is fine: the deadline's timers cope with it.
    expect(deadline.scope(2 ** 32).signal.aborted).toBe(false)
    expect(() => deadline.timeout(100, {} as AbortSignal)).toThrow('option `signal` must be an AbortSignal, got an object')
    expect(deadline.scope(Number.POSITIVE_INFINITY).signal.aborted).toBe(false)
    expect(deadline.scope().signal.aborted).toBe(false)
    deadline.end()
  })
})
