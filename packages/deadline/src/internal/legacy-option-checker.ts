import { DeadlineOptionError } from '../errors.js'
import { describeValue } from './describe.js'
import { MAX_LAMBDA_MS } from './options.js'

/**
 * @deprecated The option checks of before `checkOptions`, kept only for `@middy-deadline/testing`
 * until its options are described with `checkOptions` too (its owner's call); remove then. Same
 * messages as they were; values are described without `String()`.
 */
export interface OptionChecker {
  nonNegativeMs(option: string, value: unknown): number
  positiveMs(option: string, value: unknown): number
  optionalFn<T extends (...args: never[]) => unknown>(option: string, value: unknown): T | undefined
  unknownKeys(options: object, known: readonly string[]): void
}

/** @deprecated See `OptionChecker`. */
export function optionChecker(packageName: string): OptionChecker {
  const fail = (option: string, what: string, got: unknown): never => {
    throw new DeadlineOptionError(packageName, option, `must be ${what}, got ${got}`)
  }
  const nonNegativeMs = (option: string, value: unknown): number =>
    typeof value !== 'number' || !Number.isFinite(value)
      ? fail(option, 'a finite number of milliseconds', describeValue(value))
      : value < 0
        ? fail(option, 'at least 0', value)
        : value > MAX_LAMBDA_MS
          ? fail(option, `at most ${MAX_LAMBDA_MS} (Lambda's 15-minute limit)`, value)
          : value
  return {
    nonNegativeMs,
    positiveMs: (option, value) => (value === 0 ? fail(option, 'greater than 0', 0) : nonNegativeMs(option, value)),
    optionalFn: <T>(option: string, value: unknown) =>
      value === undefined || typeof value === 'function' ? (value as T | undefined) : fail(option, 'a function', typeof value),
    unknownKeys(options, known) {
      for (const key of Object.keys(options)) {
        if (!known.includes(key))
          throw new DeadlineOptionError(packageName, key, `is not an option of ${packageName} (known: ${known.join(', ')})`)
      }
    },
  }
}
