import { DeadlineOptionError } from './errors.js'

/**
 * Option checks shared by every middleware of this project. They run once, when a middleware is
 * created, so a mistake surfaces at deploy time (module load) rather than inside an invocation.
 */
export interface OptionChecker {
  nonNegativeMs(option: string, value: unknown): number
  positiveMs(option: string, value: unknown): number
  ratio(option: string, value: unknown): number
  fn<T extends (...args: never[]) => unknown>(option: string, value: unknown): T
  optionalFn<T extends (...args: never[]) => unknown>(option: string, value: unknown): T | undefined
  fnList<T extends (...args: never[]) => unknown>(option: string, value: unknown): T[]
  boolean(option: string, value: unknown): boolean
  oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T
  unknownKeys(options: object, known: readonly string[]): void
}

const MAX_LAMBDA_TIMEOUT_MS = 15 * 60 * 1000

export function optionChecker(packageName: string): OptionChecker {
  // Every message but the unknown key's reads `must be <what>, got <value>`.
  const fail = (option: string, what: string, got: unknown): never => {
    throw new DeadlineOptionError(packageName, option, `must be ${what}, got ${got}`)
  }
  const describe = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value))
  const nonNegativeMs = (option: string, value: unknown): number =>
    typeof value !== 'number' || !Number.isFinite(value)
      ? fail(option, 'a finite number of milliseconds', describe(value))
      : value < 0
        ? fail(option, 'at least 0', value)
        : value > MAX_LAMBDA_TIMEOUT_MS
          ? fail(option, `at most ${MAX_LAMBDA_TIMEOUT_MS} (Lambda's 15-minute limit)`, value)
          : value
  const fn = <T>(option: string, value: unknown) => (typeof value === 'function' ? (value as T) : fail(option, 'a function', typeof value))
  return {
    nonNegativeMs,
    positiveMs: (option, value) => (value === 0 ? fail(option, 'greater than 0', 0) : nonNegativeMs(option, value)),
    ratio: (option, value) =>
      typeof value === 'number' && value > 0 && value <= 1 ? value : fail(option, 'a number in (0, 1]', describe(value)),
    fn,
    optionalFn: (option, value) => (value === undefined ? undefined : fn(option, value)),
    fnList<T>(option: string, value: unknown) {
      const list = value === undefined ? [] : Array.isArray(value) ? value : [value]
      return list.map((item, index) => fn<T>(`${option}[${index}]`, item))
    },
    boolean: (option, value) => (typeof value === 'boolean' ? value : fail(option, 'true or false', describe(value))),
    oneOf: <T extends string>(option: string, value: unknown, allowed: readonly T[]) =>
      allowed.includes(value as T) ? (value as T) : fail(option, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, describe(value)),
    unknownKeys(options, known) {
      for (const key of Object.keys(options)) {
        if (!known.includes(key))
          throw new DeadlineOptionError(packageName, key, `is not an option of ${packageName} (known: ${known.join(', ')})`)
      }
    },
  }
}
