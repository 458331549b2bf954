import { DeadlineOptionError, describeValue, MAX_LAMBDA_MS } from '@middy-deadline/deadline/internal'

/**
 * The option checks this package was written with, moved here from `@middy-deadline/deadline` when
 * that package's options moved to one declarative description (`checkOptions`): same messages,
 * values described without `String()`. To go once these options use `checkOptions` too.
 */
export interface OptionChecker {
  nonNegativeMs(option: string, value: unknown): number
  positiveMs(option: string, value: unknown): number
  optionalFn<T extends (...args: never[]) => unknown>(option: string, value: unknown): T | undefined
  unknownKeys(options: object, known: readonly string[]): void
}

/** See `OptionChecker`. */
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
