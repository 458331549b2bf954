import {
  boundedObject,
  callGuarded,
  describeError,
  describeValue,
  isInstance,
  jsonLine,
  MAX_LINE_BYTES,
  onRejection,
  readSafely,
  redactUrls,
} from '@middy-deadline/deadline/internal'
import { describe, expect, it } from 'vitest'

const throwing = new Proxy(
  {},
  {
    get() {
      throw new Error('get')
    },
    getPrototypeOf() {
      throw new Error('getPrototypeOf')
    },
  },
)
const revoked = (() => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
})()

describe('describeError: a thrown value as text, never throwing', () => {
  it.each<[string, () => unknown, string]>([
    ['an error with a cause', () => new TypeError('bad', { cause: new Error('root') }), 'TypeError: bad (cause: Error: root)'],
    ['an object without a prototype', () => Object.create(null), 'an object'],
    ['an array', () => [1, 2], 'an array'],
    ['a revoked proxy', () => revoked, 'an object'],
    ['a proxy that throws', () => throwing, 'an object'],
    ['a BigInt', () => 10n, '10n'],
    ['a symbol', () => Symbol('s'), 'Symbol(s)'],
    ['undefined', () => undefined, 'undefined'],
    ['a function', () => () => {}, 'a function'],
    ['an object with a message', () => ({ message: 'plain' }), 'plain'],
    ['an object with a name', () => ({ name: 'Named' }), 'Named'],
    ['an error naming a URL', () => new Error('at https://user:pw@example.com/a?token=1#f'), 'Error: at https://example.com/a'],
  ])('%s', (_name, make, text) => {
    expect(describeError(make())).toBe(text)
  })

  it('reads each of name, message and cause on its own guard, follows at most three causes, and is short', () => {
    const getters = Object.defineProperties(new Error('x'), {
      name: {
        get() {
          throw new Error('name')
        },
      },
      message: { value: 'still read' },
    })
    expect(describeError(getters)).toBe('still read')
    const cycle = new Error('a')
    Object.defineProperty(cycle, 'cause', { value: cycle })
    expect(describeError(cycle).match(/cause/g)).toHaveLength(3)
    expect(describeError('x'.repeat(10_000)).length).toBeLessThanOrEqual(600)
  })

  it('describeValue quotes strings and names objects by kind', () => {
    expect([describeValue('a'), describeValue(null), describeValue([]), describeValue({}), describeValue(1)]).toEqual([
      '"a"',
      'null',
      'an array',
      'an object',
      '1',
    ])
  })

  it('redactUrls removes credentials, query strings and fragments of every URL in a text', () => {
    expect(redactUrls('see https://u:p@a.example/x?y=1 and http://b.example/#f')).toBe('see https://a.example/x and http://b.example/')
  })
})

describe('the guards', () => {
  it('callGuarded hands a throw, a rejection, or a then that throws to the failure callback', async () => {
    const failures: unknown[] = []
    const failed = (error: unknown) => failures.push(error)
    expect(
      callGuarded(
        () => {
          throw 1
        },
        undefined,
        [],
        failed,
      ),
    ).toBeUndefined()
    callGuarded(() => Promise.reject(2), undefined, [], failed)
    onRejection(
      Object.defineProperty({}, 'then', {
        get() {
          throw 3
        },
      }),
      failed,
    )
    onRejection(
      {
        // biome-ignore lint/suspicious/noThenProperty: a thenable is the point.
        then: () => {
          throw 4
        },
      },
      failed,
    )
    expect(callGuarded((a: number) => a + 1, undefined, [1], failed)).toBe(2)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(failures).toEqual([1, 3, 4, 2])
  })

  it('readSafely and isInstance answer instead of throwing', () => {
    expect(readSafely(throwing, 'x')).toBeUndefined()
    expect(readSafely(revoked, 'x')).toBeUndefined()
    expect(readSafely(null, 'x')).toBeUndefined()
    expect(isInstance(throwing, Error)).toBe(false)
    expect(isInstance(new TypeError(), Error)).toBe(true)
  })
})

describe('jsonLine and boundedObject', () => {
  it('replace a member whose getter throws, and keep a record that fits as it is', () => {
    const record = Object.defineProperty({ message: 'kept', n: 1n }, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter')
      },
    })
    expect(JSON.parse(jsonLine(record))).toEqual({ message: 'kept', n: '1', bad: '[unreadable]' })
    const fits = { message: 'fits' }
    expect(boundedObject(fits)).toBe(fits)
    expect(Buffer.byteLength(JSON.stringify(boundedObject({ big: 'x'.repeat(MAX_LINE_BYTES) })))).toBeLessThan(MAX_LINE_BYTES)
  })
})
