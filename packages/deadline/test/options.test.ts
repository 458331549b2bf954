import { DeadlineOptionError, deadline, optionChecker } from '@middy-deadline/deadline'
import { describe, expect, it } from 'vitest'

describe('deadline() options', () => {
  it.each([
    [{ reserveMs: -1 }, 'option `reserveMs` must be at least 0, got -1'],
    [{ reserveMs: Number.NaN }, 'option `reserveMs` must be a finite number of milliseconds, got NaN'],
    [{ reserveMs: '500' }, 'option `reserveMs` must be a finite number of milliseconds, got "500"'],
    [{ reserveMs: 16 * 60 * 1000 }, "must be at most 900000 (Lambda's 15-minute limit)"],
    [{ reserveMS: 500 }, 'option `reserveMS` is not an option of @middy-deadline/deadline (known: reserveMs)'],
  ])('rejects %o when the middleware is created, naming the option and the package', (options, message) => {
    const create = () => deadline(options as never)
    expect(create).toThrow(DeadlineOptionError)
    expect(create).toThrow(`@middy-deadline/deadline: ${message.startsWith('option') ? message : ''}`)
    expect(create).toThrow(message)
  })

  it('accepts the defaults and valid values', () => {
    expect(deadline()).toHaveProperty('before')
    expect(deadline({ reserveMs: 0 })).toHaveProperty('after')
  })
})

describe('optionChecker', () => {
  const check = optionChecker('@middy-deadline/example')
  it('names the entry of a list that is not a function', () => {
    expect(() => check.fnList('onTimeout', [() => {}, 'flush'])).toThrow(
      '@middy-deadline/example: option `onTimeout[1]` must be a function, got string',
    )
  })
  it('checks ratios and choices', () => {
    expect(check.ratio('threshold', 0.8)).toBe(0.8)
    expect(() => check.ratio('threshold', 80)).toThrow('option `threshold` must be a number in (0, 1], got 80')
    expect(() => check.oneOf('outcome', 'maybe', ['error', 'response'])).toThrow("must be one of 'error', 'response', got \"maybe\"")
  })
})
