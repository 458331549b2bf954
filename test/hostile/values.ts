import fc from 'fast-check'

const throwEverything: ProxyHandler<object> = Object.fromEntries(
  (
    ['get', 'set', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'defineProperty', 'deleteProperty', 'apply'] as const
  ).map((trap) => [
    trap,
    () => {
      throw new Error(`the ${trap} trap throws`)
    },
  ]),
)

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

function errorWithThrowingGetters(): Error {
  const error = new Error('base')
  for (const key of ['name', 'message', 'cause', 'stack']) {
    Object.defineProperty(error, key, {
      get() {
        throw new Error(`reading ${key} throws`)
      },
    })
  }
  return error
}

function causeCycle(): Error {
  const outer = new Error('outer')
  const inner = new Error('inner', { cause: outer })
  Object.defineProperty(outer, 'cause', { value: inner })
  return outer
}

/**
 * Values a caller may throw, reject with, or hand us, that `String()`, a template literal,
 * `instanceof` or a property read cannot cope with. Each is made fresh by its function.
 */
export const HOSTILE_VALUES: readonly (readonly [name: string, make: () => unknown])[] = [
  ['an object without a prototype', () => Object.create(null)],
  [
    'an object whose toString throws',
    () => ({
      toString() {
        throw new Error('toString throws')
      },
    }),
  ],
  ['a proxy that throws on every access', () => new Proxy({}, throwEverything)],
  ['a function proxy that throws on every access', () => new Proxy(() => {}, throwEverything)],
  ['a revoked proxy', revokedProxy],
  ['a BigInt', () => 10n ** 40n],
  ['a symbol', () => Symbol('thrown')],
  ['an error whose name, message, cause and stack getters throw', errorWithThrowingGetters],
  ['an error in a cause cycle', causeCycle],
  ['undefined', () => undefined],
  ['null', () => null],
  ['a URL with credentials and a query', () => new TypeError('failed: https://user:secret@example.com/path?token=abc#frag')],
  ['a string of a megabyte', () => 'x'.repeat(1 << 20)],
  [
    'a thenable whose then throws',
    () => ({
      // biome-ignore lint/suspicious/noThenProperty: the point of the value.
      then: () => {
        throw new Error('then throws')
      },
    }),
  ],
  [
    'an object with a throwing toJSON',
    () => ({
      toJSON() {
        throw new Error('toJSON throws')
      },
    }),
  ],
]

/** A value made on demand: fast-check never touches it (its own checks trip on a revoked proxy). */
export type Made = () => unknown

const named = (name: string, make: () => unknown): Made => Object.assign(() => make(), { [fc.toStringMethod]: () => name })

/**
 * Any value at all, made by the property itself: fast-check's `anything` (objects with odd keys,
 * `toString` keys that are not functions, null prototypes, boxed values, numbers, strings) and the
 * hostile ones above.
 */
export const thrownValue: fc.Arbitrary<Made> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc
      .anything({ withBigInt: true, withBoxedValues: true, withNullPrototype: true, withObjectString: true })
      .map((value) => named(fc.stringify(value), () => value)),
  },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_VALUES.map(([name, make]) => named(name, make))) },
)

/** The seed and the number of runs of every property in this suite: fixed in CI, larger on demand. */
export const RUNS = {
  seed: Number(process.env.HOSTILE_SEED ?? 11),
  numRuns: Number(process.env.HOSTILE_RUNS ?? 12),
}
