import { warnOnce, warnOnFailure } from '@middy-deadline/deadline/internal'
import { describe, expect, it } from 'vitest'
import { captureStderr } from '../../../test/support/output.js'

// The warned keys live for the whole process (here: this test file's module graph), so the test
// that fills them up runs last.
describe('warnOnFailure', () => {
  it('warns once per distinct failure, with the thrown value described on the line', () => {
    const stderr = captureStderr()
    const failed = warnOnFailure('hook', '@middy-deadline/example', 'the hook failed')
    failed(new Error('no table'))
    failed(new Error('no table'))
    failed(new TypeError('not a function'))
    expect(stderr.lines()).toEqual([
      { level: 'WARN', package: '@middy-deadline/example', message: 'the hook failed', error: 'Error: no table' },
      { level: 'WARN', package: '@middy-deadline/example', message: 'the hook failed', error: 'TypeError: not a function' },
    ])
  })

  it('warns once for the key at all when told the failures differ by item', () => {
    const stderr = captureStderr()
    const failed = warnOnFailure('order-key', '@middy-deadline/example', 'orderKey failed', false)
    failed(new Error('item 1'))
    failed(new Error('item 2'))
    expect(stderr.lines()).toEqual([
      { level: 'WARN', package: '@middy-deadline/example', message: 'orderKey failed', error: 'Error: item 1' },
    ])
  })
})

describe('warnOnce', () => {
  it('writes a warning once per key, and after 500 distinct keys one line saying so, then nothing', () => {
    const stderr = captureStderr()
    warnOnce('same', '@middy-deadline/example', 'first')
    warnOnce('same', '@middy-deadline/example', 'first')
    // A key built from an error message that carries a request id: new on every invocation. Three
    // keys are taken by the tests above.
    for (let i = 0; i < 2000; i++) warnOnce(`listener threw: request ${i}`, '@middy-deadline/example', 'a listener threw')
    const written = stderr.lines()
    expect(written.filter((l) => l.message === 'first')).toHaveLength(1)
    expect(written).toHaveLength(500 - 3 + 1)
    expect(written.at(-1)).toEqual({
      level: 'WARN',
      package: '@middy-deadline/example',
      message: 'more than 500 distinct warnings: no further ones are logged',
    })
  })
})
