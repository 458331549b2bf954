import { describe, expect, it } from 'vitest'
import { buildReport, type FunctionReport, type Recommendation, type Report } from '../src/index.js'
import { endLine, invocationLines, platformStart, reportLine, requestId, startLine, timeoutLine, timingLine } from './lines.js'

// Each recommendation at the thresholds that decide it, as a reader gets it: the action, the value
// and its unit, the setting it replaces, the words, the evidence and how sure it is. report.test.ts
// and edges.test.ts show one case of each; here the case on each side of a threshold.

const run = (lines: string[], options = {}): Promise<Report> => buildReport([lines.join('\n')], options)
const only = (report: Report): FunctionReport => {
  expect(report.functions).toHaveLength(1)
  return report.functions[0] as FunctionReport
}
const advice = async (kind: string, lines: string[], options = {}): Promise<Recommendation | undefined> =>
  only(await run(lines, options)).recommendations.find((r) => r.kind === kind)

/** `n` complete invocations of `ms` each (our record and Lambda's REPORT agree). */
const completed = (n: number, ms: number, extra: Partial<Parameters<typeof timingLine>[0]> = {}, from = 0) =>
  Array.from({ length: n }, (_, i) => invocationLines(requestId(from + i), { durationMs: ms, ...extra }, { durationMs: ms })).flat()
/** `n` invocations Lambda killed at 3 s, with no record of ours. */
const killed = (n: number, from = 900) =>
  Array.from({ length: n }, (_, i) => [
    startLine(requestId(from + i)),
    reportLine(requestId(from + i), { durationMs: 3000, status: 'timeout' }),
  ]).flat()
/** `n` invocations only Lambda's lines tell of (no record of ours: the timeout is unknown). */
const lambdaOnly = (n: number, ms: number) =>
  Array.from({ length: n }, (_, i) => [startLine(requestId(i)), endLine(requestId(i)), reportLine(requestId(i), { durationMs: ms })]).flat()
/** `n` invocations that reached graceful-timeout's cutoff at 2 s and settled `settleMs` later. */
const settled = (n: number, settleMs: number, reserveMs: number, from = 0) =>
  Array.from({ length: n }, (_, i) => [
    timeoutLine({ requestId: requestId(from + i), elapsedMs: 2000, reserveMs }),
    timingLine({ requestId: requestId(from + i), durationMs: 2000 + settleMs, outcome: 'timeout' }),
  ]).flat()
/** `n` invocations killed with their event loop blocked at the cutoff (the watchdog's record only). */
const blocked = (n: number, from = 800) =>
  Array.from({ length: n }, (_, i) => [
    startLine(requestId(from + i)),
    timeoutLine({ requestId: requestId(from + i), elapsedMs: 2500, source: 'watchdog' }),
    reportLine(requestId(from + i), { durationMs: 3000, status: 'timeout' }),
  ]).flat()
/** Lambda's REPORT lines with another memory size and peak. */
const memory = (size: number, peak: number) => (line: string) =>
  line.replace('Memory Size: 1024 MB\tMax Memory Used: 90 MB', `Memory Size: ${size} MB\tMax Memory Used: ${peak} MB`)

const timeoutEvidence = { timeouts: 0, nearMisses: 0, currentMs: 3000, reserveMs: 0 }
const lowOf = (n: number) => ({ level: 'low', basis: n, why: `${n} completed invocations; medium from 100, high from 1000` })

describe('the timeout', () => {
  it('says to look into it when every invocation timed out: nothing completed to size a timeout from', async () => {
    expect(await advice('timeout', killed(3))).toEqual({
      kind: 'timeout',
      action: 'investigate',
      value: null,
      unit: null,
      current: 3000,
      message: 'all 3 invocations timed out: nothing completed to size a timeout from',
      evidence: { completed: 0, completedP99Ms: null, timeouts: 3, nearMisses: 0, currentMs: 3000, reserveMs: 0 },
      confidence: lowOf(0),
    })
  })

  it('sets one from the p99 when none is known, never above Lambda’s 15 minutes', async () => {
    expect(await advice('timeout', lambdaOnly(3, 700_000))).toEqual({
      kind: 'timeout',
      action: 'set',
      value: 900_000,
      unit: 'ms',
      current: null,
      message: 'p99 of completed invocations is 700 s: set the timeout to 900 s (p99 × 1.5 + reserve)',
      evidence: { completed: 3, completedP99Ms: 700_000, timeouts: 0, nearMisses: 0, currentMs: null, reserveMs: 0 },
      confidence: lowOf(3),
    })
  })

  it('adds the reserve to p99 × 1.5 when it raises one', async () => {
    // 2,100 ms × 1.5 + a 1,500 ms reserve (from the graceful timeout's record) = 4,650 → 5 s; without it, 4 s.
    expect(await advice('timeout', [...completed(5, 2100), ...settled(1, 10, 1500, 50)])).toMatchObject({
      action: 'raise',
      value: 5000,
      evidence: { completedP99Ms: 2100, timeouts: 1, reserveMs: 1500 },
    })
  })

  it('raises it when completed invocations reach 80 % of it at p99 with no timeouts yet, and keeps it just below', async () => {
    expect(await advice('timeout', completed(5, 2400), { timeoutMs: 3000 })).toEqual({
      kind: 'timeout',
      action: 'raise',
      value: 4000,
      unit: 'ms',
      current: 3000,
      message: 'no timeouts yet, but p99 is 80 % of the timeout (5 near-misses): raise to 4 s',
      evidence: { ...timeoutEvidence, completed: 5, completedP99Ms: 2400, nearMisses: 5 },
      confidence: lowOf(5),
    })
    expect(await advice('timeout', completed(5, 2399), { timeoutMs: 3000 })).toEqual({
      kind: 'timeout',
      action: 'keep',
      value: null,
      unit: null,
      current: 3000,
      message: 'p99 is 2399 ms, 80 % of the timeout: it fits with room',
      evidence: { ...timeoutEvidence, completed: 5, completedP99Ms: 2399 },
      confidence: lowOf(5),
    })
  })

  it('calls timeouts the tail of the work from 70 % of the timeout at p99, and hangs below it', async () => {
    expect(await advice('timeout', [...completed(5, 2100), ...killed(1)])).toEqual({
      kind: 'timeout',
      action: 'raise',
      value: 4000,
      unit: 'ms',
      current: 3000,
      message:
        '1 timed out and completed invocations reach 70 % of the timeout at p99: the timeouts are the tail of the same work; raise to 4 s',
      evidence: { ...timeoutEvidence, completed: 5, completedP99Ms: 2100, timeouts: 1 },
      confidence: lowOf(5),
    })
    expect(await advice('timeout', [...completed(5, 2099), ...killed(1)])).toMatchObject({ action: 'keep', value: null })
  })

  it('raises at least a second above the current timeout, and never above 15 minutes', async () => {
    // p99 × 1.5 = 3,150 ms rounds to 4 s: the same as a second more than 3 s; at 2,700 × 1.5 + 0 → 5 s, more than 4 s.
    expect(await advice('timeout', [...completed(5, 2700), ...killed(1)])).toMatchObject({ action: 'raise', value: 5000 })
    expect(await advice('timeout', [...completed(3, 800_000), ...killed(1)], { timeoutMs: 900_000 })).toMatchObject({
      action: 'raise',
      value: 900_000,
      message: expect.stringContaining('raise to 900 s'),
    })
  })

  it('raises a second above the current timeout when p99 × 1.5 asks for less', async () => {
    // 2,450 ms × 1.5 = 3,675 → 4 s, less than 3.5 s + 1 s.
    expect(await advice('timeout', [...completed(5, 2450), ...killed(1)], { timeoutMs: 3500 })).toMatchObject({
      action: 'raise',
      value: 4500,
    })
  })

  it('speaks of seconds from 10 s', async () => {
    expect((await advice('timeout', lambdaOnly(3, 10_000)))?.message).toBe(
      'p99 of completed invocations is 10 s: set the timeout to 15 s (p99 × 1.5 + reserve)',
    )
  })

  it('lowers it when p99 × 1.5 fits in half of it, and keeps it when it does not', async () => {
    expect(await advice('timeout', completed(5, 600), { timeoutMs: 2000 })).toEqual({
      kind: 'timeout',
      action: 'lower',
      value: 1000,
      unit: 'ms',
      current: 2000,
      message: 'p99 is 600 ms, 30 % of the timeout: 1 s still leaves 1.5× headroom and stops a hung invocation (and its bill) sooner',
      evidence: { ...timeoutEvidence, completed: 5, completedP99Ms: 600, currentMs: 2000 },
      confidence: lowOf(5),
    })
    expect(await advice('timeout', completed(5, 600), { timeoutMs: 1999 })).toMatchObject({
      action: 'keep',
      value: null,
      message: 'p99 is 600 ms, 30 % of the timeout: it fits with room',
    })
  })

  it('is as sure as the count of completed invocations: medium from 100, high from 1,000', async () => {
    const sure = async (n: number) => (await advice('timeout', completed(n, 100)))?.confidence.level
    expect([await sure(99), await sure(100), await sure(999), await sure(1000)]).toEqual(['low', 'medium', 'medium', 'high'])
  })
})

describe('the reserve', () => {
  it('says no reserve helps when the event loop was blocked at the cutoff', async () => {
    expect(await advice('reserve', blocked(2))).toEqual({
      kind: 'reserve',
      action: 'investigate',
      value: null,
      unit: null,
      current: 500,
      message:
        '2 invocations had their event loop blocked at the cutoff (the watchdog wrote the record): no reserve helps a blocked loop; move the CPU-bound work off the main thread or break it up',
      evidence: { settled: 0, settleP99Ms: null, settleMaxMs: null, killedAfterCutoff: 0, blockedAtCutoff: 2, currentMs: 500 },
      confidence: { level: 'medium', basis: 2, why: '2 blocked cutoffs; medium from 1, high from 10' },
    })
    expect((await advice('reserve', blocked(10)))?.confidence.level).toBe('high')
    expect((await advice('reserve', blocked(9)))?.confidence.level).toBe('medium')
  })

  it('says nothing about it when no invocation reached the cutoff', async () => {
    expect(await advice('reserve', completed(5, 100))).toBeUndefined()
  })

  it('lowers one more than twice what settling needs, and keeps one at twice', async () => {
    // 10 ms of settling needs the floor of 100 ms.
    expect(await advice('reserve', settled(3, 10, 201))).toEqual({
      kind: 'reserve',
      action: 'lower',
      value: 100,
      unit: 'ms',
      current: 201,
      message: 'settling after the cutoff took 10 ms at p99: a 201 ms reserve gives away 101 ms of every invocation; 100 ms covers it 1.5×',
      evidence: { settled: 3, settleP99Ms: 10, settleMaxMs: 10, killedAfterCutoff: 0, blockedAtCutoff: 0, currentMs: 201 },
      confidence: { level: 'low', basis: 3, why: '3 graceful timeouts; medium from 10, high from 100' },
    })
    expect(await advice('reserve', settled(3, 10, 200))).toMatchObject({
      action: 'keep',
      value: null,
      current: 200,
      message: 'settling after the cutoff took 10 ms at p99, within the 200 ms reserve',
    })
  })

  it('sizes it at 1.5× the settling time when that is more than 50 ms above it, in steps of 50 ms', async () => {
    // 200 ms × 1.5 = 300 (more than 200 + 50); 80 ms + 50 = 130 (more than 80 × 1.5) → 150.
    expect(await advice('reserve', settled(3, 200, 2000))).toMatchObject({ action: 'lower', value: 300 })
    expect(await advice('reserve', settled(3, 80, 2000))).toMatchObject({ action: 'lower', value: 150 })
  })

  it('is as sure as the count of graceful timeouts: medium from 10, high from 100', async () => {
    const sure = async (n: number) => (await advice('reserve', settled(n, 20, 500)))?.confidence.level
    expect([await sure(9), await sure(10), await sure(99), await sure(100)]).toEqual(['low', 'medium', 'medium', 'high'])
  })
})

describe('memory', () => {
  it('says nothing about memory when Lambda gives the size but no peak (a platform.report without maxMemoryUsedMB)', async () => {
    const sizeOnly = (i: number) =>
      JSON.stringify({
        time: '2026-11-30T10:00:00.000Z',
        type: 'platform.report',
        record: { requestId: requestId(i), status: 'success', metrics: { durationMs: 100, memorySizeMB: 1024 } },
      })
    const lines = Array.from({ length: 3 }, (_, i) => [platformStart(requestId(i)), sizeOnly(i)]).flat()
    const fn = only(await run(lines))
    expect(fn.invocations).toBe(3)
    expect(fn.recommendations.find((r) => r.kind === 'memory')).toBeUndefined()
  })

  it('raises it from 90 % of the size at peak, to a size the peak fills to 70 % at most', async () => {
    expect(await advice('memory', completed(3, 100).map(memory(1000, 900)))).toEqual({
      kind: 'memory',
      action: 'raise',
      value: 1536,
      unit: 'MB',
      current: 1000,
      message: 'peak memory 900 MB is 90 % of 1000 MB: raise to 1536 MB before it runs out',
      evidence: { peakMB: 900, configuredMB: 1000, peakShare: 0.9, untrackedShareOfSlowInvocations: null, blockedAtCutoff: 0 },
      confidence: { level: 'low', basis: 3, why: '3 invocations with a memory reading; medium from 20, high from 200' },
    })
    expect(await advice('memory', completed(3, 100).map(memory(1000, 899)))).toMatchObject({
      action: 'keep',
      value: null,
      message: 'peak memory 899 MB of 1000 MB (90 %)',
    })
  })

  it('raises it to a full vCPU for a blocked event loop below 1,769 MB, and not at 1,769', async () => {
    const at = (size: number) => [...completed(3, 100), ...blocked(1)].map(memory(size, 500))
    expect(await advice('memory', at(1768))).toEqual({
      kind: 'memory',
      action: 'raise',
      value: 1769,
      unit: 'MB',
      current: 1768,
      message:
        'the event loop was blocked at 1 cutoffs (the watchdog wrote the record): CPU-bound work; Lambda scales CPU with memory (a full vCPU at 1769 MB), so more memory makes it faster',
      evidence: { peakMB: 500, configuredMB: 1768, peakShare: 0.28, untrackedShareOfSlowInvocations: null, blockedAtCutoff: 1 },
      confidence: { level: 'low', basis: 1, why: '1 blocked cutoffs; medium from 3, high from 30' },
    })
    expect(await advice('memory', at(1769))).toMatchObject({ action: 'keep', current: 1769 })
  })

  it('suggests lowering from a peak of a quarter of the size, not above it, and never below 128 MB', async () => {
    expect(await advice('memory', completed(3, 100).map(memory(1024, 256)))).toEqual({
      kind: 'memory',
      action: 'lower',
      value: 512,
      unit: 'MB',
      current: 1024,
      message:
        'peak memory is 25 % of 1024 MB: 512 MB would hold it twice over, but CPU shrinks with memory: confirm with Lambda Power Tuning before lowering',
      evidence: { peakMB: 256, configuredMB: 1024, peakShare: 0.25, untrackedShareOfSlowInvocations: null, blockedAtCutoff: 0 },
      confidence: { level: 'low', basis: 3, why: '3 invocations with a memory reading; medium from 20, high from 200' },
    })
    expect(await advice('memory', completed(3, 100).map(memory(1024, 257)))).toMatchObject({ action: 'keep' })
    expect(await advice('memory', completed(3, 100).map(memory(128, 20)))).toMatchObject({
      action: 'keep',
      message: 'peak memory 20 MB of 128 MB (16 %)',
    })
  })

  describe('time outside the tracked calls', () => {
    const calls = (ms: number) => ({ calls: [{ target: 'https://api.example.com/', durationMs: ms }] })
    const at = (size: number) => (line: string) => line.replace('Memory Size: 1024 MB', `Memory Size: ${size} MB`)

    it('says to look into it when slow invocations spend 80 % of their time outside them and use half the timeout', async () => {
      expect(await advice('memory', completed(20, 1500, calls(100)).map(at(512)), { timeoutMs: 3000 })).toEqual({
        kind: 'memory',
        action: 'investigate',
        value: null,
        unit: null,
        current: 512,
        message:
          'slow invocations spend 93 % of their time outside the outbound calls we track: if that is computation, more memory (more CPU, a full vCPU at 1769 MB) makes them faster; if it is waiting on calls we do not see, wrap those with withDeadline to find out',
        evidence: { peakMB: 90, configuredMB: 512, peakShare: 0.18, untrackedShareOfSlowInvocations: 0.933, blockedAtCutoff: 0 },
        confidence: { level: 'low', basis: 20, why: '20 invocations with a memory reading; medium from 20, high from 200' },
      })
      expect(await advice('memory', completed(20, 1499, calls(100)).map(at(512)), { timeoutMs: 3000 })).toMatchObject({ action: 'lower' })
    })

    it('from a share of exactly 80 %, not below', async () => {
      // 2,500 ms invocations with a 500 ms call: 80 % outside it; with a 503 ms call, 79.9 %.
      expect(await advice('memory', completed(20, 2500, calls(500)).map(at(512)), { timeoutMs: 3000 })).toMatchObject({
        action: 'investigate',
        evidence: { untrackedShareOfSlowInvocations: 0.8 },
      })
      expect(await advice('memory', completed(20, 2500, calls(503)).map(at(512)), { timeoutMs: 3000 })).toMatchObject({
        action: 'lower',
        evidence: { untrackedShareOfSlowInvocations: 0.799 },
      })
    })

    it('when some timed out, whatever the timeout; not when the timeout is unknown and none did', async () => {
      // One kill in 201: the p99 of durations is 200 ms, far from half the timeout.
      expect(await advice('memory', [...completed(200, 200, calls(10)), ...killed(1)].map(at(512)))).toMatchObject({
        action: 'investigate',
      })
      const unbudgeted = Array.from({ length: 20 }, (_, i) => {
        const { budgetMs: _budget, ...record } = JSON.parse(
          timingLine({ requestId: requestId(i), durationMs: 2600, ...calls(50), memoryLimitMB: 512 }),
        )
        return JSON.stringify(record)
      })
      expect(await advice('memory', unbudgeted)).toMatchObject({ action: 'lower', evidence: { untrackedShareOfSlowInvocations: 0.981 } })
    })

    it('not at a full vCPU already, where it does not suggest lowering either; nor lowering for a blocked loop', async () => {
      expect(await advice('memory', completed(20, 2600, calls(50)).map(at(1769)))).toMatchObject({ action: 'keep', current: 1769 })
      expect(await advice('memory', [...completed(3, 100), ...blocked(1)].map(at(2048)))).toMatchObject({ action: 'keep', current: 2048 })
    })
  })

  it('is as sure as the count of memory readings: medium from 20, high from 200', async () => {
    const sure = async (n: number) => (await advice('memory', completed(n, 100).map(memory(1024, 500))))?.confidence.level
    expect([await sure(19), await sure(20), await sure(199), await sure(200)]).toEqual(['low', 'medium', 'medium', 'high'])
  })
})

describe('per-request limits', () => {
  const limits = async (lines: string[], options = {}) =>
    only(await run(lines, options)).recommendations.filter((r) => r.kind === 'per-request-limit')

  it('never goes below 50 ms, however little of the budget is left', async () => {
    // A 1 s timeout with a 950 ms reserve leaves a 50 ms budget: half of it rounds down to 0.
    const lines = [
      ...completed(3, 500, { calls: [{ target: 'https://x.example/', durationMs: 400, outcome: 'timeout' }] }),
      ...settled(1, 10, 950, 50),
    ]
    expect(await limits(lines, { timeoutMs: 1000 })).toEqual([
      {
        kind: 'per-request-limit',
        action: 'set',
        value: 50,
        unit: 'ms',
        current: null,
        target: 'GET https://x.example/',
        message:
          "GET https://x.example/: limit each request to 50 ms (its p99 (400 ms) × 1.5 does not fit in half the invocation's budget (50 ms): with 50 ms the slowest calls will fail fast; if they must succeed, move this call to a queue)",
        evidence: { calls: 3, p99Ms: 400, maxMs: 400, timeouts: 3, pendingAtCutoff: 0, slowShare: 0, budgetMs: 50 },
        confidence: { level: 'low', basis: 3, why: '3 calls; medium from 100, high from 1000' },
      },
    ])
  })

  it('gives p99 × 1.5 as the reason when it fits in half the budget exactly', async () => {
    const lines = completed(3, 1200, { calls: [{ target: 'https://x.example/', durationMs: 1000 }] })
    expect((await limits(lines, { timeoutMs: 3000 })).map((r) => [r.value, r.message])).toEqual([
      [1500, 'GET https://x.example/: limit each request to 1500 ms (p99 1000 ms × 1.5)'],
    ])
  })

  it('sets none for a downstream only seen still running at a cutoff (no time to size it from)', async () => {
    const pendingOnly = timeoutLine({
      requestId: requestId(1),
      elapsedMs: 2500,
      pending: [{ url: 'https://stuck.example/x', durationMs: 2400 }],
    })
    expect(await limits([pendingOnly])).toEqual([])
  })

  it('names the 10 slowest downstreams, no more', async () => {
    const lines = Array.from({ length: 11 }, (_, i) =>
      invocationLines(requestId(i), {
        durationMs: 500,
        calls: [{ target: `https://t${String(i).padStart(2, '0')}.example/`, durationMs: 10 * (i + 1) }],
      }),
    ).flat()
    const named = (await limits(lines)).map((r) => r.target)
    expect(named).toHaveLength(10)
    expect(named).not.toContain('GET https://t00.example/')
  })
})

describe('the batch size', () => {
  it('sets the batches seen when exactly that many fit, and at least one record', async () => {
    // 2,400 ms for 80 records: 30 ms each; 80 % of 3 s holds 80 of them.
    expect(await advice('batch-size', completed(3, 2400, { batchSize: 80 }), { timeoutMs: 3000 })).toEqual({
      kind: 'batch-size',
      action: 'set',
      value: 80,
      unit: 'records',
      current: 80,
      message: 'a record takes 30 ms at p99: 80 records fit in 80 % of the 3000 ms budget (batches of up to 80 seen)',
      evidence: { perRecordP99Ms: 30, budgetMs: 3000, observedMaxBatch: 80, invocations: 3 },
      confidence: { level: 'low', basis: 3, why: '3 batches; medium from 100, high from 1000' },
    })
    expect(await advice('batch-size', completed(3, 2900, { batchSize: 1 }), { timeoutMs: 3000 })).toMatchObject({ action: 'set', value: 1 })
  })

  it('fits the batches in the timeout less the reserve', async () => {
    // 3 s less a 600 ms reserve: 80 % of 2,400 ms holds 64 records of 30 ms.
    const lines = [...completed(3, 2400, { batchSize: 80 }), ...settled(1, 10, 600, 50)]
    expect(await advice('batch-size', lines, { timeoutMs: 3000 })).toMatchObject({
      action: 'lower',
      value: 64,
      evidence: { budgetMs: 2400 },
    })
  })

  it('says nothing of batches whose records took no time, or without a timeout to fit them in', async () => {
    expect(await advice('batch-size', completed(3, 0, { batchSize: 10 }), { timeoutMs: 3000 })).toBeUndefined()
    const { budgetMs: _budget, ...unbudgeted } = JSON.parse(timingLine({ requestId: requestId(1), durationMs: 100, batchSize: 10 }))
    expect(await advice('batch-size', [JSON.stringify(unbudgeted)])).toBeUndefined()
  })
})
