import {
  boundedObject,
  callGuarded,
  clip,
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

  it('names a function by its kind, not by its name, and cuts a long name or message at 300 characters', () => {
    expect(describeError(function onTimeout() {})).toBe('a function')
    expect(describeError(new Error('m'.repeat(1_000)))).toBe(`Error: ${'m'.repeat(299)}…`)
    expect(describeError({ name: 'n'.repeat(400), message: 'short' })).toBe(`${'n'.repeat(299)}…: short`)
  })

  it('clip keeps a text of exactly the most characters, and cuts a longer one to that many, the last an ellipsis', () => {
    expect(clip('abc', 3)).toBe('abc')
    expect(clip('abcd', 3)).toBe('ab…')
    expect(clip('', 3)).toBe('')
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

  it('onRejection follows a thenable that is a function, and leaves alone null, a primitive and a `then` that is not a function', async () => {
    const failures: unknown[] = []
    const failed = (error: unknown) => failures.push(error)
    const rejects = (reason: string) => (_resolve: unknown, reject: (error: unknown) => void) => reject(reason)
    const withThen = <T extends object>(target: T, then: unknown): T =>
      Object.defineProperty(target, 'then', { value: then, configurable: true })
    // A polluted String.prototype does not make a string a thenable: promises do not treat it as one either.
    withThen(String.prototype, rejects('polluted'))
    try {
      for (const value of [null, undefined, 'text', 5, withThen({}, 5), withThen({}, null)]) onRejection(value, failed)
    } finally {
      delete (String.prototype as unknown as Record<string, unknown>).then
    }
    onRejection(
      withThen(() => {}, rejects('callable')),
      failed,
    )
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(failures).toEqual(['callable'])
  })

  it('readSafely reads an object or a function, and gives nothing for a primitive (no lookup on its prototype)', () => {
    expect(readSafely({ awsRequestId: 'id-1' }, 'awsRequestId')).toBe('id-1')
    function hook() {}
    expect(readSafely(hook, 'name')).toBe('hook')
    expect(readSafely('text', 'length')).toBeUndefined()
    expect(readSafely(5, 'toFixed')).toBeUndefined()
    expect(readSafely(undefined, 'x')).toBeUndefined()
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

  it('use the bound to the last byte and never past it, and drop a member whole: values JSON leaves out take no room (the same line with or without them), a name that does not fit drops its value', () => {
    const lengths: number[] = []
    // Shift where the bound falls across the small members at the end, one byte at a time.
    for (let pad = 0; pad < 12; pad++) {
      const record: Record<string, unknown> = { n: 1n, pad: 'p'.repeat(pad) }
      for (let i = 0; i < 8; i++) record[`k${i}`] = { s: 'x'.repeat(7_800), list: [1, undefined] }
      for (let i = 0; i < 300; i++) record[`a${i}`] = i % 2 ? 1 : [2]
      const line = jsonLine(record)
      // Members JSON leaves out cost nothing: the same record with some is cut at the same place.
      expect(jsonLine({ skipped: undefined, fn: () => 1, ...record, symbol: Symbol('s') })).toBe(line)
      lengths.push(Buffer.byteLength(line))
      const parsed = JSON.parse(line)
      expect(parsed).toMatchObject({ n: '1', pad: 'p'.repeat(pad), k7: { s: 'x'.repeat(7_800), list: [1, null] }, truncated: true })
      // What is kept is the record's first members, each with its own value; the rest is left out.
      const kept = Object.keys(parsed).filter((key) => key.startsWith('a'))
      expect(kept.length).toBeGreaterThan(0)
      expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => `a${i}`))
      for (const key of kept) expect(parsed[key]).toEqual(Number(key.slice(1)) % 2 ? 1 : [2])
    }
    expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_LINE_BYTES)
    expect(Math.max(...lengths)).toBeGreaterThanOrEqual(MAX_LINE_BYTES - 1)
  })

  it('cut an array anywhere into valid JSON: an element that no longer fits, even as null, is left out with the rest', () => {
    for (let pad = 0; pad < 12; pad++) {
      const root: unknown[] = [1n, 'p'.repeat(pad)]
      for (let i = 0; i < 8; i++) root.push('x'.repeat(7_800))
      for (let i = 0; i < 500; i++) root.push([undefined])
      const line = jsonLine(root)
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES)
      const parsed = JSON.parse(line) as unknown[]
      expect(parsed.slice(0, 3)).toEqual(['1', 'p'.repeat(pad), 'x'.repeat(7_800)])
      // Each small element is whole ([null]) but perhaps the last, which may have been cut to [].
      const small = parsed.slice(10)
      expect(small.length).toBeGreaterThan(0)
      expect(small.length).toBeLessThan(500)
      expect(small.slice(0, -1).every((element) => JSON.stringify(element) === '[null]')).toBe(true)
      expect(['[null]', '[]']).toContain(JSON.stringify(small.at(-1)))
    }
  })

  it('cut a string longer than 8 KiB only, and escape what is not ASCII as JSON reads it back', () => {
    const parsed = JSON.parse(jsonLine({ n: 1n, whole: 'w'.repeat(8 * 1024), cut: 'c'.repeat(8 * 1024 + 1) }))
    expect(parsed).toEqual({ n: '1', whole: 'w'.repeat(8 * 1024), cut: `${'c'.repeat(8 * 1024 - 1)}…`, truncated: true })
    const line = jsonLine({ n: 1n, s: 'é\u007f\u0080€' })
    expect(line).toBe('{"n":"1","s":"\\u00e9\\u007f\\u0080\\u20ac"}\n')
    expect(JSON.parse(line).s).toBe('é\u007f\u0080€')
  })

  it("count a toJSON's result one level deeper, write an object met twice (not a cycle) twice, and say truncated for a toJSON that throws", () => {
    let deep: Record<string, unknown> = { bottom: true }
    for (let i = 0; i < 14; i++) deep = { deeper: deep }
    let level = JSON.parse(jsonLine({ n: 1n, wrapped: { toJSON: () => deep } })).wrapped
    let hops = 0
    while (typeof level === 'object' && level !== null && 'deeper' in level) {
      level = level.deeper
      hops++
    }
    expect([level, hops]).toEqual(['[…]', 10])
    const shared = { a: 1 }
    expect(JSON.parse(jsonLine({ n: 1n, x: shared, y: [shared, shared] }))).toEqual({ n: '1', x: { a: 1 }, y: [{ a: 1 }, { a: 1 }] })
    const broken = {
      toJSON() {
        throw new Error('no JSON for you')
      },
    }
    expect(JSON.parse(jsonLine({ n: 1n, broken }))).toEqual({ n: '1', broken: '[unserializable]', truncated: true })
  })

  it('write valid JSON whatever the root: an array cut stays an array, a function is an empty object, a record with nothing that fits says only truncated', () => {
    const array = jsonLine([1n, 'x'.repeat(9_000)])
    expect(JSON.parse(array)).toEqual(['1', `${'x'.repeat(8 * 1024 - 1)}…`])
    expect(jsonLine((() => 1) as never)).toBe('{}\n')
    // The member's value fills the line, and then its name (cut to 8 KiB) no longer fits: nothing is left.
    const big: Record<string, string> = {}
    for (let i = 0; i < 9; i++) big[`s${i}`] = 'x'.repeat(8_000)
    expect(jsonLine({ ['k'.repeat(9_000)]: big })).toBe('{"truncated":true}\n')
  })

  it('keep the named members in the order they were added and the numbered ones after them, as JavaScript orders numbers', () => {
    const record = { 0: 'zero', level: 'WARN', a1: 1, '1a': 2, 42: 'n', x: 3, 7: 'seven', 12: 'twelve', message: 'm', n: 1n }
    expect(jsonLine(record)).toBe(
      '{"level":"WARN","a1":1,"1a":2,"x":3,"message":"m","n":"1","0":"zero","7":"seven","12":"twelve","42":"n"}\n',
    )
  })
})

describe('boundedObject', () => {
  it('copies what JSON.stringify cannot write, keeps a long record of one-byte characters that fits as it is, and cuts one over the bound by a byte', () => {
    expect(boundedObject({ n: 1n, message: 'kept' })).toEqual({ n: '1', message: 'kept' })
    // 30,000 characters: three bytes each could be too many, but these are one byte each.
    const long = { s: 'x'.repeat(30_000) }
    expect(boundedObject(long)).toBe(long)
    // `{"s":"…"}` is 8 characters around the string: 64 KiB exactly, one more than the bound takes.
    const atTheBound = { s: 'x'.repeat(MAX_LINE_BYTES - 8) }
    expect(boundedObject(atTheBound)).toEqual({ s: `${'x'.repeat(8 * 1024 - 1)}…`, truncated: true })
    const underTheBound = { s: 'x'.repeat(MAX_LINE_BYTES - 9) }
    expect(boundedObject(underTheBound)).toBe(underTheBound)
  })
})
