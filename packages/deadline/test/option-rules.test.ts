import { DeadlineOptionError } from '@middy-deadline/deadline'
import {
  boolean,
  checkArgument,
  checkOptions,
  fn,
  list,
  methodOf,
  ms,
  number,
  object,
  required,
  text,
  withMethods,
} from '@middy-deadline/deadline/internal'
import { describe, expect, it } from 'vitest'

// The option rules as the other packages use them (outbound-fetch-timeout's `patchGlobalFetch`,
// remaining-time-budget's step function, the AWS SDK plugin's `config`, graceful-timeout's
// watchdog): what each accepts at its edges, and the error it gives, naming the package and the option.
const PACKAGE = '@middy-deadline/example'
const option = <T>(rule: (value: unknown) => T, value: unknown, name = 'value') => checkArgument(PACKAGE, name, rule, value)
const refusal = (rule: (value: unknown) => unknown, value: unknown, name = 'value'): DeadlineOptionError => {
  try {
    option(rule, value, name)
  } catch (error) {
    expect(error).toBeInstanceOf(DeadlineOptionError)
    return error as DeadlineOptionError
  }
  throw new Error(`accepted ${String(value)}`)
}

describe('number and ms', () => {
  it('take the edges of their range, a default only when they have one, and say the range in the error', () => {
    expect([option(number(undefined, 0, 5), 0), option(number(undefined, 0, 5), 2.5), option(number(undefined, 0, 5), 5)]).toEqual([
      0, 2.5, 5,
    ])
    expect(refusal(number(undefined, 0, 5), 5.5).message).toBe(`${PACKAGE}: option \`value\` must be a number in [0, 5], got 5.5`)
    // Without a default the option is required: left out is refused, not `undefined`.
    expect(refusal(number(undefined, 0, 5), undefined).message).toBe(
      `${PACKAGE}: option \`value\` must be a number in [0, 5], got undefined`,
    )
    expect(option(number(3, 0, 5), undefined)).toBe(3)
  })

  it('with a positive `ms`, refuse 0 (the range is open below) and take anything above it', () => {
    const positive = ms(undefined, true)
    expect(refusal(positive, 0, 'timeoutMs').message).toBe(
      `${PACKAGE}: option \`timeoutMs\` must be a number of milliseconds in (0, 900000], got 0`,
    )
    expect(refusal(positive, -1, 'timeoutMs').option).toBe('timeoutMs')
    expect([option(positive, 0.5), option(positive, 900_000)]).toEqual([0.5, 900_000])
    expect(option(ms(undefined), 0)).toBe(0)
  })
})

describe('boolean, fn, required and text', () => {
  it('boolean takes true and false, its default when left out, and nothing else', () => {
    expect([option(boolean(false), true), option(boolean(true), false), option(boolean(true), undefined)]).toEqual([true, false, true])
    expect(refusal(boolean(false), 'yes', 'patchGlobalFetch').message).toBe(
      `${PACKAGE}: option \`patchGlobalFetch\` must be one of true, false, got "yes"`,
    )
    expect(refusal(boolean(false), 1).message).toContain('got 1')
  })

  it('fn takes a function, its default (none unless given) when left out, and refuses anything else', () => {
    const given = () => 1
    expect(option(fn(), given)).toBe(given)
    expect(option(fn(), undefined)).toBeUndefined()
    expect(option(fn(given), undefined)).toBe(given)
    expect(refusal(fn(), 1, 'fetch').message).toBe(`${PACKAGE}: option \`fetch\` must be a function, got 1`)
    expect(refusal(fn(), {}, 'fetch').message).toBe(`${PACKAGE}: option \`fetch\` must be a function, got an object`)
  })

  it('required refuses an argument left out, and checks a given one by its rule', () => {
    const stepFn = required(fn())
    expect(refusal(stepFn, undefined, 'fn').message).toBe(`${PACKAGE}: option \`fn\` must be given, got undefined`)
    expect(refusal(stepFn, 'run', 'fn').message).toBe(`${PACKAGE}: option \`fn\` must be a function, got "run"`)
    const given = () => 1
    expect(option(stepFn, given)).toBe(given)
  })

  it('text takes a string of exactly its most characters, and not one more', () => {
    expect(option(text(8), 'eight ch')).toBe('eight ch')
    expect(refusal(text(8), 'nine char', 'label').message).toBe(
      `${PACKAGE}: option \`label\` must be a non-empty string of at most 8 characters, got "nine char"`,
    )
  })
})

describe('object and withMethods', () => {
  it('object takes any object as it is, or nothing unless required', () => {
    const config = { region: 'eu-west-1' }
    expect(option(object(true), config)).toBe(config)
    expect(option(object(), undefined)).toBeUndefined()
    expect(refusal(object(true), undefined, 'config').message).toBe(`${PACKAGE}: option \`config\` must be an object, got undefined`)
    for (const value of [null, 'config', 1, () => {}]) expect(refusal(object(), value, 'config').option).toBe('config')
    expect(refusal(object(), null, 'config').message).toBe(`${PACKAGE}: option \`config\` must be an object, got null`)
  })

  it('withMethods takes an object or a function carrying the methods, and names every method when refusing', () => {
    const rule = withMethods<{ watch(): void; prepare(): void }>('watch', 'prepare')
    const callable = Object.assign(() => {}, { watch() {}, prepare() {} })
    expect(option(rule, callable)).toBe(callable)
    expect(refusal(rule, null, 'watchdog').message).toBe(
      `${PACKAGE}: option \`watchdog\` must be an object with watch(), prepare(), got null`,
    )
    expect(refusal(rule, 'on', 'watchdog').message).toBe(
      `${PACKAGE}: option \`watchdog\` must be an object with watch(), prepare(), got "on"`,
    )
    expect(refusal(rule, { watch() {} }, 'watchdog').message).toBe(
      `${PACKAGE}: option \`watchdog.prepare\` must be a function, got undefined`,
    )
  })

  it('methodOf with `optional` gives nothing for a missing method, and still refuses one that is not a function', () => {
    // As graceful-timeout's watchdog option reads its methods, inside its rule.
    const optionalPrepare = (value: unknown) => methodOf(value as object, 'prepare', true)
    const prepare = () => {}
    expect(option(optionalPrepare, {})).toBeUndefined()
    expect(option(optionalPrepare, { prepare })).toBe(prepare)
    expect(refusal(optionalPrepare, { prepare: 5 }, 'watchdog').message).toBe(`${PACKAGE}: option \`watchdog\` must be a function, got 5`)
    expect(refusal((value) => methodOf(value as object, 'prepare'), {}, 'watchdog').message).toBe(
      `${PACKAGE}: option \`watchdog\` must be a function, got undefined`,
    )
  })
})

describe('where an error points', () => {
  it('an argument checked by a list rule names the entry below the argument (`hooks[1]`)', () => {
    const hooks = list(fn(), 3)
    const error = refusal(hooks, [() => {}, 'later'], 'hooks')
    expect(error.option).toBe('hooks[1]')
    expect(error.message).toBe(`${PACKAGE}: option \`hooks[1]\` must be a function, got "later"`)
  })

  it('a single value given where a list is taken is named as the option itself', () => {
    expect(refusal(list(fn(), 3), 'later', 'hooks').option).toBe('hooks')
    const error = (() => {
      try {
        checkOptions(PACKAGE, { hooks: list(fn(), 3) }, { hooks: 'later' })
      } catch (caught) {
        return caught as DeadlineOptionError
      }
    })()
    expect(error?.message).toBe(`${PACKAGE}: option \`hooks\` must be a function, got "later"`)
  })
})
