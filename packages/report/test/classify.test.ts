import { describe, expect, it } from 'vitest'
import { classify } from '../src/classify.js'
import { requestId, timeoutLine, timingLine } from './lines.js'

// Lines that look nearly like one the report reads, and lines it reads in a shape a little off the
// usual one: each is read for what it is. (Written for the survivors of classify.ts's mutation run.)

const id = requestId(1)
const fact = (message: string) => classify({ message }).fact
const GRACEFUL = '@middy-deadline/graceful-timeout'
const json = (fields: Record<string, unknown>) => fact(JSON.stringify(fields))
const timing = (fields: Record<string, unknown>) => json({ ...JSON.parse(timingLine({ requestId: id, durationMs: 50 })), ...fields })

describe("a line that only mentions one of Lambda's is not one", () => {
  it('START, END and REPORT count at the start of a line only', () => {
    // Each starts with the letter of the real one, so it gets as far as the pattern.
    expect(fact(`Sending START RequestId: ${id} Version: 3 to the audit log`)).toEqual({ kind: 'other', requestId: undefined })
    expect(fact(`Ended with END RequestId: ${id}`)).toEqual({ kind: 'other', requestId: undefined })
    expect(fact(`Retrying REPORT RequestId: ${id} Duration: 5.00 ms`)).toEqual({ kind: 'other', requestId: undefined })
  })

  it('a console line that quotes the timeout message is the function’s own line, not a kill', () => {
    expect(fact(`2026-11-30T10:00:00.000Z\t${id}\tWARN\tupstream said: Task timed out after 3.00 seconds`)).toEqual({
      kind: 'other',
      requestId: id,
    })
  })

  it('a line with something before the runtime’s timestamp is not a runtime line', () => {
    expect(fact(`worker-1 2026-11-30T10:00:00.000Z\t${id}\tINFO\thello`)).toEqual({ kind: 'other', requestId: undefined })
  })
})

describe("Lambda's lines with more space than usual (tabs turned into spaces by the tool that printed them)", () => {
  it('START with several spaces before its version', () => {
    expect(fact(`START RequestId: ${id}   Version: 7`)).toMatchObject({ kind: 'start', requestId: id, version: '7' })
  })

  it('the timeout line with several spaces before its message, or with nothing before the request id', () => {
    const killed = { kind: 'killed', requestId: id, timeoutMs: 3000 }
    expect(fact(`2026-11-30T10:00:03.010Z ${id}    Task timed out after 3.00 seconds`)).toEqual(killed)
    expect(fact(`${id} Task timed out after 3.00 seconds`)).toEqual(killed)
  })

  it('our record with spaces before it, alone or after the runtime’s fields', () => {
    const record = timingLine({ requestId: id, durationMs: 50 })
    expect(fact(`  ${record}`)).toMatchObject({ kind: 'timing', requestId: id })
    expect(fact(`2026-11-30T10:00:00.000Z\t${id}\tINFO\t  ${record}`)).toMatchObject({ kind: 'timing', requestId: id })
    // Inside the JSON format's message.
    expect(json({ timestamp: '2026-11-30T10:00:00.000Z', level: 'INFO', requestId: id, message: ` ${record}` })).toMatchObject({
      kind: 'timing',
      requestId: id,
    })
  })
})

describe('the time of a timeout line', () => {
  const line = `2026-11-30T10:00:03.010Z ${id} Task timed out after 3.00 seconds`

  it('is the wrapper’s when it gives one', () => {
    const wrapperMs = Date.parse('2026-11-30T10:00:04.000Z')
    expect(classify({ message: line, timestamp: wrapperMs }).timestamp).toBe(wrapperMs)
  })

  it('is the line’s own otherwise', () => {
    expect(classify({ message: line }).timestamp).toBe(Date.parse('2026-11-30T10:00:03.010Z'))
  })
})

describe('JSON that is not ours, or not what it looks like', () => {
  it("a platform type without its record, and another tool's type with a record, are not Lambda's events", () => {
    expect(json({ time: '2026-11-30T10:00:00.000Z', type: 'platform.start' })).toEqual({ kind: 'foreign-json' })
    expect(json({ type: 'audit', record: { requestId: id } })).toEqual({ kind: 'foreign-json' })
  })

  it('a timeout record is graceful-timeout’s, with its elapsed time and a request id; anything less from us is a warning', () => {
    const warning = (packageName: string) => ({ kind: 'warning', package: packageName, message: 'said something' })
    // Another package of ours, with the same fields.
    expect(json({ package: '@middy-deadline/deadline', message: 'said something', elapsedMs: 12, requestId: id })).toEqual(
      warning('@middy-deadline/deadline'),
    )
    // graceful-timeout's own warnings: no elapsed time, or no request id.
    expect(json({ package: GRACEFUL, message: 'said something', requestId: id })).toEqual(warning(GRACEFUL))
    expect(json({ package: GRACEFUL, message: 'said something', elapsedMs: 12 })).toEqual(warning(GRACEFUL))
  })

  it('a timing record needs a request id, a duration and an outcome', () => {
    expect(json({ durationMs: 5, outcome: 'success' })).toEqual({ kind: 'foreign-json' })
    expect(json({ requestId: id, outcome: 'success' })).toEqual({ kind: 'foreign-json' })
    expect(json({ requestId: id, durationMs: 5 })).toEqual({ kind: 'foreign-json' })
  })

  it('a cut-short line or a warning is ours only under our package name, and a warning has a message', () => {
    expect(json({ package: 'other-lib', truncated: true })).toEqual({ kind: 'foreign-json' })
    expect(json({ package: 'other-lib', message: 'said something' })).toEqual({ kind: 'foreign-json' })
    expect(json({ package: '@middy-deadline/deadline' })).toEqual({ kind: 'foreign-json' })
  })
})

describe('what the report takes from our records', () => {
  it("the timing record's memory, its outbound total and each call's kind; the function's name under Powertools' key", () => {
    expect(timing({ maxRssMB: 123, functionName: undefined, function_name: 'billing' })).toMatchObject({
      kind: 'timing',
      functionName: 'billing',
      maxRssMB: 123,
    })
    const withCalls = JSON.parse(timingLine({ requestId: id, durationMs: 50, calls: [{ target: 'https://x.test/a', durationMs: 30 }] }))
    expect(json({ ...withCalls, outbound: { ...withCalls.outbound, totalMs: 41 } })).toMatchObject({
      outboundTotalMs: 41,
      calls: [{ target: 'GET https://x.test/a', kind: 'fetch', durationMs: 30 }],
    })
  })

  it("the timeout record's budget and what was cut from it", () => {
    const record = JSON.parse(timeoutLine({ requestId: id, elapsedMs: 2500, budgetMs: 2998 }))
    expect(json({ ...record, droppedMarks: 4, droppedPending: 2 })).toMatchObject({
      kind: 'timeout',
      budgetMs: 2998,
      cut: { truncated: false, droppedPhases: 0, droppedMarks: 4, droppedPending: 2 },
    })
  })

  it('a record is sampled only when it is routine: a success or an early response, warm, no near miss', () => {
    const sampled = (fields: Record<string, unknown>) =>
      (timing({ sampleRate: 0.1, outcome: 'success', coldStart: false, nearMiss: false, ...fields }) as { sampled: boolean }).sampled
    expect(sampled({})).toBe(true)
    expect(sampled({ outcome: 'early-response' })).toBe(true)
    expect(sampled({ outcome: 'error' })).toBe(false)
    expect(sampled({ nearMiss: true })).toBe(false)
    expect(sampled({ coldStart: true })).toBe(false)
  })
})

describe('a downstream’s name', () => {
  const named = (target: string) =>
    (
      timing({ outbound: { started: 1, slowest: [{ kind: 'fetch', method: 'GET', target, durationMs: 5 }] } }) as {
        calls: { target: string }[]
      }
    ).calls[0]?.target

  it('folds id-like path segments, never the host', () => {
    expect(named('https://orders-service-internal-eu/orders/1')).toBe('GET https://orders-service-internal-eu/orders/{id}')
  })

  it('folds numbers, hex ids of 16 or more and opaque ids of 20 or more, whole segments only', () => {
    expect(named('https://x.test/traces/0123456789abcdef')).toBe('GET https://x.test/traces/{id}')
    expect(named('https://x.test/files/AbCdEfGhIjKlMnOpQrStUv')).toBe('GET https://x.test/files/{id}')
    // A segment that only ends or starts with digits is a name.
    expect(named('https://x.test/api/v2/users/2fa')).toBe('GET https://x.test/api/v2/users/2fa')
  })
})
