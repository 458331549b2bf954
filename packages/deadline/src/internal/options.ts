import { DeadlineOptionError } from '../errors.js'
import { describeError, describeValue } from './describe.js'

/**
 * Every option of every factory and helper of ours is described once, declaratively: a rule per
 * option that says what it takes (type, range, default) and refuses anything else with a message.
 * `checkOptions` runs the rules once, when the factory is called, so that a mistake surfaces at
 * deploy time (module load) rather than inside an invocation. It reads only the options object's
 * own properties: a polluted `Object.prototype` supplies no hook, fetch or field function.
 */
export type Rule<T> = (value: unknown) => T
export type OptionSpec = Record<string, Rule<unknown>>
export type CheckedOptions<S extends OptionSpec> = { [K in keyof S]: ReturnType<S[K]> }

/** Why a rule refused a value, and where below the option (`[1]`, `.error`). */
class Refusal {
  constructor(
    readonly problem: string,
    readonly at = '',
  ) {}
}

/** Refuses `got`: the option "must be `what`, got `got`". */
export const refuse = (what: string, got: unknown): never => {
  throw new Refusal(`must be ${what}, got ${describeValue(got)}`)
}

/** Refuses a value with a problem of its own wording: the option "`problem`". */
export const refuseWith = (problem: string): never => {
  throw new Refusal(problem)
}

/**
 * Checks `options` against `spec` and returns the options to use (every key of `spec`, defaults
 * filled in). `undefined` means no options; anything else that is not an object, an unknown key,
 * or a value a rule refuses throws a `DeadlineOptionError` naming the package and the option.
 */
export function checkOptions<S extends OptionSpec>(packageName: string, spec: S, options: unknown, name = 'options'): CheckedOptions<S> {
  return checkArgument(packageName, name, (value) => readObject(spec, value === undefined ? {} : value), options, true)
}

/** Checks one argument (`deadline.scope(timeoutMs)`) by its rule, with the same errors. */
export function checkArgument<T>(packageName: string, name: string, rule: Rule<T>, value: unknown, keysAlone = false): T {
  try {
    return rule(value)
  } catch (error) {
    const { problem, at } = error instanceof Refusal ? error : unreadable(error)
    // An options object's keys are named alone (`reserveMs`, `emf.namespace`), not `options.reserveMs`.
    throw new DeadlineOptionError(packageName, at === '' ? name : keysAlone ? at.slice(1) : name + at, problem)
  }
}

/** An object of options below an option (`emf: { namespace }`); `undefined` stays `undefined`. */
export const nested =
  <S extends OptionSpec>(spec: S): Rule<CheckedOptions<S> | undefined> =>
  (value) =>
    value === undefined ? undefined : readObject(spec, value)

function readObject<S extends OptionSpec>(spec: S, value: unknown): CheckedOptions<S> {
  if (typeof value !== 'object' || value === null) refuse('an object', value)
  const given = value as Record<string, unknown>
  for (const key of Object.keys(given))
    if (!Object.hasOwn(spec, key)) throw new Refusal(`is unknown (known: ${Object.keys(spec).join(', ')})`, `.${key}`)
  const checked: Record<string, unknown> = {}
  for (const key of Object.keys(spec))
    checked[key] = within(`.${key}`, () => (spec[key] as Rule<unknown>)(Object.hasOwn(given, key) ? given[key] : undefined))
  return checked as CheckedOptions<S>
}

/** Runs a rule on a part of a value: its refusal (or the error of a getter) points at that part. */
export function within<T>(at: string, rule: () => T): T {
  try {
    return rule()
  } catch (error) {
    const refusal = error instanceof Refusal ? error : unreadable(error)
    throw new Refusal(refusal.problem, at + refusal.at)
  }
}

const unreadable = (error: unknown) => new Refusal(`could not be read (${describeError(error)})`)

// ---- the rules ------------------------------------------------------------------------------------

/** Lambda's 15-minute limit: no time an option gives can be longer than an invocation. */
export const MAX_LAMBDA_MS = 900_000

/** A number in [min, max] (or (min, max] when `aboveMin`), whole when `whole`; `fallback` when left out. */
export const number =
  (fallback: number | undefined, min: number, max: number, what = 'a number', whole = false, aboveMin = false): Rule<number> =>
  (value) =>
    value === undefined && fallback !== undefined
      ? fallback
      : typeof value === 'number' && (aboveMin ? value > min : value >= min) && value <= max && (!whole || Number.isInteger(value))
        ? value
        : refuse(`${what} in ${aboveMin ? '(' : '['}${min}, ${max}]`, value)

/** Milliseconds, at most Lambda's 15 minutes; more than 0 when `positive`. No default: required. */
export const ms = (fallback: number | undefined, positive = false): Rule<number> =>
  number(fallback, 0, MAX_LAMBDA_MS, 'a number of milliseconds', false, positive)

/** A whole number in [min, max]. */
export const integer = (fallback: number | undefined, min: number, max: number): Rule<number> =>
  number(fallback, min, max, 'a whole number', true)

export const oneOf =
  <T>(allowed: readonly T[], fallback: T): Rule<T> =>
  (value) =>
    value === undefined
      ? fallback
      : allowed.includes(value as T)
        ? (value as T)
        : refuse(`one of ${allowed.map(describeValue).join(', ')}`, value)

export const boolean = (fallback: boolean): Rule<boolean> => oneOf([true, false], fallback)

/** A function; `fallback` (by default none) when left out. */
export const fn =
  <T extends (...args: never[]) => unknown>(fallback?: T): Rule<T> =>
  (value) =>
    value === undefined ? (fallback as T) : typeof value === 'function' ? (value as T) : refuse('a function', value)

/** `rule`, but the value must be given (a function argument, not an option with a default). */
export const required =
  <T>(rule: Rule<T>): Rule<T> =>
  (value) =>
    value === undefined ? refuse('given', value) : rule(value)

/** The value as `rule` takes it, or `undefined` when left out (a rule whose own default is required). */
export const optional =
  <T>(rule: Rule<T>): Rule<T | undefined> =>
  (value) =>
    value === undefined ? undefined : rule(value)

/** A non-empty string of at most `max` characters. */
export const text =
  (max: number, fallback?: string): Rule<string> =>
  (value) =>
    value === undefined && fallback !== undefined
      ? fallback
      : typeof value === 'string' && value.trim() !== '' && value.length <= max
        ? value
        : refuse(`a non-empty string of at most ${max} characters`, value)

/** One item or a list of at most `max`, each checked by `item`; always a list (empty when left out). */
export const list =
  <T>(item: Rule<T>, max: number): Rule<T[]> =>
  (value) => {
    const items = value === undefined ? [] : Array.isArray(value) ? value : [value]
    if (items.length > max) refuseWith(`must have at most ${max} entries, got ${items.length}`)
    return items.map((entry, index) =>
      within(Array.isArray(value) ? `[${index}]` : '', () => (entry === undefined ? refuse('given', entry) : item(entry))),
    )
  }

/** An instance of `type` (an AbortSignal, a Deadline), or left out. */
export const instance =
  <T>(type: abstract new (...args: never[]) => T, what: string): Rule<T | undefined> =>
  (value) =>
    value === undefined || value instanceof type ? (value as T | undefined) : refuse(what, value)

/** Any object, passed on as it is (an SDK's own config), or left out unless `required`. */
export const object =
  <T extends object>(required = false): Rule<T | undefined> =>
  (value) =>
    (value === undefined && !required) || (typeof value === 'object' && value !== null)
      ? (value as T | undefined)
      : refuse('an object', value)

/**
 * An object with these methods (a logger, a watchdog), or left out. A method may come from the
 * object's class, never from a polluted `Object.prototype`.
 */
export const withMethods =
  <T extends object>(...names: string[]): Rule<T | undefined> =>
  (value) => {
    if (value === undefined) return undefined
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null)
      refuse(`an object with ${names.map((name) => `${name}()`).join(', ')}`, value)
    for (const name of names) within(`.${name}`, () => methodOf(value as object, name))
    return value as T
  }

/**
 * `object[name]`, which must be a function that does not come from `Object.prototype` (a polluted
 * prototype's function counts as no method at all); with `optional`, `undefined` when there is none.
 */
export function methodOf(object: object, name: string, optional?: false): (...args: unknown[]) => unknown
export function methodOf(object: object, name: string, optional: true): ((...args: unknown[]) => unknown) | undefined
export function methodOf(object: object, name: string, optional = false): ((...args: unknown[]) => unknown) | undefined {
  const method = (object as Record<string, unknown>)[name]
  const own = method === (Object.prototype as Record<string, unknown>)[name] ? undefined : method
  return typeof own === 'function' || (optional && own === undefined) ? (own as (...args: unknown[]) => unknown) : refuse('a function', own)
}
