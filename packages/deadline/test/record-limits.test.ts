import { inspect } from 'node:util'
import { Deadline } from '@middy-deadline/deadline'
import {
  deadlineSlot,
  OUTBOUND_CALLS_SLOT,
  outboundCallsSnapshot,
  RECORD_LIMITS,
  recordMarks,
  recordName,
} from '@middy-deadline/deadline/internal'
import { createLambdaContext } from '@middy-deadline/testing'
import { afterEach, describe, expect, it } from 'vitest'

// What the timeout record (graceful-timeout) and the timing logger read from the deadline through
// deadline's internal entry: the bounded marks and names, the typed slots, the outbound calls.
const deadlines: Deadline[] = []
const aDeadline = () => {
  const deadline = new Deadline({ context: createLambdaContext({ timeoutMs: 10_000 }) })
  deadlines.push(deadline)
  return deadline
}
afterEach(() => {
  for (const deadline of deadlines.splice(0)) deadline.end()
})

describe('recordMarks and recordName', () => {
  const marks = (count: number) => Array.from({ length: count }, (_, index) => ({ name: `mark ${index}`, atMs: index + 0.4 }))

  it('keeps every mark up to the limit, its time rounded as asked, and drops none', () => {
    const all = marks(RECORD_LIMITS.marks)
    const shown = recordMarks(all, Math.round)
    expect(shown.dropped).toBe(0)
    expect(shown.marks).toHaveLength(RECORD_LIMITS.marks)
    expect(shown.marks[0]).toEqual({ name: 'mark 0', atMs: 0 })
    expect(shown.marks.at(-1)).toEqual({ name: 'mark 99', atMs: 99 })
  })

  it('past the limit keeps the last marks, where the invocation was heading, and counts the ones dropped', () => {
    const shown = recordMarks(marks(RECORD_LIMITS.marks + 5), (ms) => Math.floor(ms))
    expect(shown.dropped).toBe(5)
    expect(shown.marks).toHaveLength(RECORD_LIMITS.marks)
    expect(shown.marks[0]).toEqual({ name: 'mark 5', atMs: 5 })
    expect(shown.marks.at(-1)).toEqual({ name: 'mark 104', atMs: 104 })
  })

  it("cuts a mark's name to the limit and removes a URL's secrets from it", () => {
    const long = 'x'.repeat(RECORD_LIMITS.name + 50)
    const shown = recordMarks(
      [
        { name: long, atMs: 1 },
        { name: 'GET https://user:pw@api.example/items?token=secret#top', atMs: 2 },
      ],
      Math.round,
    )
    expect(shown.marks).toEqual([
      { name: `${'x'.repeat(RECORD_LIMITS.name - 1)}…`, atMs: 1 },
      { name: 'GET https://api.example/items', atMs: 2 },
    ])
  })

  it('recordName shows a string the same way, and leaves out anything that is not a string', () => {
    expect(recordName('handler')).toBe('handler')
    expect(recordName('x'.repeat(RECORD_LIMITS.name))).toBe('x'.repeat(RECORD_LIMITS.name))
    expect(recordName('x'.repeat(RECORD_LIMITS.name + 1))).toBe(`${'x'.repeat(RECORD_LIMITS.name - 1)}…`)
    expect(recordName('https://a.example/?q=1')).toBe('https://a.example/')
    for (const value of [undefined, null, 5, { toString: () => 'x' }, Symbol('s')]) expect(recordName(value)).toBeUndefined()
  })
})

describe('deadlineSlot', () => {
  it('keeps a value on the deadline that every copy with the same name reads, and a later set replaces it', () => {
    const deadline = aDeadline()
    const mine = deadlineSlot<{ n: number }>('@middy-deadline/test.slot')
    const another = deadlineSlot<{ n: number }>('@middy-deadline/test.slot')
    expect(mine.get(deadline)).toBeUndefined()
    mine.set(deadline, { n: 1 })
    expect(another.get(deadline)).toEqual({ n: 1 })
    another.set(deadline, { n: 2 })
    expect(mine.get(deadline)).toEqual({ n: 2 })
    expect(deadlineSlot('@middy-deadline/test.other').get(deadline)).toBeUndefined()
    expect(mine.get(aDeadline())).toBeUndefined()
  })

  it('is not shown when the deadline is logged or copied, and cannot be overwritten but through the slot', () => {
    const deadline = aDeadline()
    const slot = deadlineSlot<string>('@middy-deadline/test.hidden')
    slot.set(deadline, 'secret state')
    expect(inspect(deadline, { showHidden: false })).not.toContain('secret state')
    expect(Object.getOwnPropertySymbols({ ...deadline })).toEqual([])
    expect(() => {
      ;(deadline as unknown as Record<symbol, string>)[Symbol.for('@middy-deadline/test.hidden')] = 'other'
    }).toThrow(TypeError)
    expect(slot.get(deadline)).toBe('secret state')
  })
})

describe('outboundCallsSnapshot', () => {
  it("reads the calls outbound-fetch-timeout's log (or another version of it) keeps on the deadline", () => {
    const deadline = aDeadline()
    expect(outboundCallsSnapshot(deadline)).toBeUndefined()
    const log = deadlineSlot<unknown>(OUTBOUND_CALLS_SLOT)
    const snapshot = { pending: [{ label: 'api', url: 'https://a.example/' }], counts: { started: 1 } }
    log.set(deadline, { snapshot: () => snapshot })
    expect(outboundCallsSnapshot(deadline)).toBe(snapshot)
  })

  it('gives nothing for a log of another shape, and passes on what its snapshot throws', () => {
    const log = deadlineSlot<unknown>(OUTBOUND_CALLS_SLOT)
    const withoutSnapshot = aDeadline()
    log.set(withoutSnapshot, { snapshot: 'not a function' })
    expect(outboundCallsSnapshot(withoutSnapshot)).toBeUndefined()
    const throwing = aDeadline()
    log.set(throwing, {
      snapshot: () => {
        throw new Error('log broke')
      },
    })
    expect(() => outboundCallsSnapshot(throwing)).toThrow('log broke')
  })
})
