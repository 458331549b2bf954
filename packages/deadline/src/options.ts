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
  const fail = (option: string, problem: string): never => {
    throw new DeadlineOptionError(packageName, option, problem)
  }
  const describe = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value))
  const ms = (option: string, value: unknown, min: number): number => {
    if (typeof value !== 'number' || !Number.isFinite(value))
      return fail(option, `must be a finite number of milliseconds, got ${describe(value)}`)
    if (value < min) return fail(option, `must be ${min === 0 ? 'at least 0' : 'greater than 0'}, got ${value}`)
    if (value > MAX_LAMBDA_TIMEOUT_MS)
      return fail(option, `must be at most ${MAX_LAMBDA_TIMEOUT_MS} (Lambda's 15-minute limit), got ${value}`)
    return value
  }
  const checker: OptionChecker = {
    nonNegativeMs: (option, value) => ms(option, value, 0),
    positiveMs: (option, value) => (value === 0 ? fail(option, 'must be greater than 0, got 0') : ms(option, value, 0)),
    ratio(option, value) {
      if (typeof value !== 'number' || !(value > 0 && value <= 1)) return fail(option, `must be a number in (0, 1], got ${describe(value)}`)
      return value
    },
    fn<T>(option: string, value: unknown) {
      if (typeof value !== 'function') return fail(option, `must be a function, got ${typeof value}`)
      return value as T
    },
    optionalFn<T>(option: string, value: unknown) {
      return value === undefined ? undefined : checker.fn<T & ((...args: never[]) => unknown)>(option, value)
    },
    fnList<T>(option: string, value: unknown) {
      const list = value === undefined ? [] : Array.isArray(value) ? value : [value]
      list.forEach((item, index) => {
        if (typeof item !== 'function') fail(`${option}[${index}]`, `must be a function, got ${typeof item}`)
      })
      return list as T[]
    },
    boolean(option, value) {
      if (typeof value !== 'boolean') return fail(option, `must be true or false, got ${describe(value)}`)
      return value
    },
    oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]) {
      if (!allowed.includes(value as T))
        return fail(option, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`)
      return value as T
    },
    unknownKeys(options, known) {
      for (const key of Object.keys(options)) {
        if (!known.includes(key)) fail(key, `is not an option of ${packageName} (known: ${known.join(', ')})`)
      }
    },
  }
  return checker
}
