import { warnOnce } from '@middy-deadline/deadline/internal'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('warnOnce', () => {
  it('writes a warning once per key, and stops growing when keys never repeat', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    warnOnce('same', '@middy-deadline/example', 'first')
    warnOnce('same', '@middy-deadline/example', 'first')
    // A key built from an error message that carries a request id: new on every invocation.
    for (let i = 0; i < 2000; i++) warnOnce(`listener threw: request ${i}`, '@middy-deadline/example', 'a listener threw')
    const lines = spy.mock.calls.map(([line]) => JSON.parse(String(line)) as { message: string })
    expect(lines.filter((l) => l.message === 'first')).toHaveLength(1)
    expect(lines.length).toBeLessThanOrEqual(502)
    expect(lines.at(-1)?.message).toContain('no further ones are logged')
  })
})
