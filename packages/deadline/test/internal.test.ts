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

  it('keep a line of up to 64 KiB (newline included) as JSON.stringify writes it, and cut a longer one: long strings end in …, and the line says truncated', () => {
    // `{"s":"…"}` is 8 characters around the string.
    const atTheBound = { s: 'x'.repeat(MAX_LINE_BYTES - 9) }
    expect(jsonLine(atTheBound)).toBe(`${JSON.stringify(atTheBound)}\n`)
    expect(Buffer.byteLength(jsonLine(atTheBound))).toBe(MAX_LINE_BYTES)
    const overTheBound = jsonLine({ s: 'x'.repeat(MAX_LINE_BYTES - 8) })
    expect(JSON.parse(overTheBound)).toEqual({ s: `${'x'.repeat(8 * 1024 - 1)}…`, truncated: true })
    // Counted in bytes, not characters: 30,000 three-byte characters are 90 KB.
    const euros = jsonLine({ s: '€'.repeat(30_000) })
    expect(Buffer.byteLength(euros)).toBeLessThanOrEqual(MAX_LINE_BYTES)
    expect(JSON.parse(euros)).toEqual({ s: `${'€'.repeat(8 * 1024 - 1)}…`, truncated: true })
    // The bounded line is plain ASCII (one byte a character): whatever is not is escaped.
    expect(Buffer.byteLength(euros)).toBe(euros.length)
    expect(boundedObject({ s: '€'.repeat(30_000) })).toEqual({ s: `${'€'.repeat(8 * 1024 - 1)}…`, truncated: true })
  })

  it('write what JSON.stringify cannot as JSON would, member by member: arrays, toJSON, values JSON leaves out, cycles, depth', () => {
    const cycle: Record<string, unknown> = { name: 'loop' }
    cycle.self = cycle
    let deep: Record<string, unknown> = { bottom: true }
    for (let i = 0; i < 14; i++) deep = { deeper: deep }
    const record = {
      // A BigInt makes JSON.stringify throw: the whole record goes the careful way.
      n: 2n,
      list: [1, undefined, () => 1, Number.NaN, true, null, 'x', 3n],
      skipped: undefined,
      fn: () => 1,
      infinite: Number.POSITIVE_INFINITY,
      when: { toJSON: () => ({ at: 'noon' }) },
      broken: {
        toJSON: () => {
          throw new Error('no JSON for you')
        },
      },
      cycle,
      deep,
    }
    const line = jsonLine(record)
    const parsed = JSON.parse(line)
    expect(parsed).toMatchObject({
      n: '2',
      list: [1, null, null, null, true, null, 'x', '3'],
      infinite: null,
      when: { at: 'noon' },
      broken: '[unserializable]',
      cycle: { name: 'loop', self: '[…]' },
      truncated: true,
    })
    expect(parsed).not.toHaveProperty('skipped')
    expect(parsed).not.toHaveProperty('fn')
    // Cut at a depth of 12.
    let level = parsed.deep
    let depth = 1
    while (typeof level === 'object' && level !== null && 'deeper' in level) {
      level = level.deeper
      depth++
    }
    expect([level, depth]).toEqual(['[…]', 12])
    expect(line.endsWith(',"truncated":true}\n')).toBe(true)
  })

  it('keep the named members first when a record is cut, so that level and message survive members named with numbers', () => {
    const record = { 0: 'y'.repeat(40_000), 1: 'z'.repeat(40_000), level: 'WARN', message: 'kept', n: 1n }
    const line = jsonLine(record)
    expect(line.indexOf('"level"')).toBeLessThan(line.indexOf('"0"'))
    expect(JSON.parse(line)).toMatchObject({ level: 'WARN', message: 'kept', n: '1', truncated: true })
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES)
  })
})
