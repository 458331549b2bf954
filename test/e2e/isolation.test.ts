import { describe, expect, it } from 'vitest'
import type { LeakProbe } from './functions/probe-leak.js'
import { type InvokeResult, jsonRecords, linesWith } from './harness/index.js'
import { functionUnderTest } from './lifecycle.js'

// What the docs (docs/deadline.md, "Reaching it without context") promise about isolation between
// invocations, under the real runtime client, on the Node that runs this suite (E2E_NODE).

const leak = functionUnderTest('test/e2e/functions/probe-leak.ts')
const threads = functionUnderTest('test/e2e/functions/probe-threads.ts')

const timingRecord = (result: InvokeResult) =>
  jsonRecords(result.logs).find((record) => 'coldStart' in record && record.requestId === result.requestId)

describe('work left behind by one invocation, run during the next (one invocation at a time)', () => {
  // auto: our own async context where it is cheap (Node 24), the runtime's plain store on Node 22.
  const isolatedBy = { auto: (major: number) => major >= 24, own: () => true, runtime: () => false }

  for (const setting of ['auto', 'own', 'runtime'] as const) {
    it(`MIDDY_DEADLINE_ASYNC_CONTEXT=${setting}: finds no deadline and is not counted where our own async context holds it (own; auto on Node 24), finds the next invocation's where the runtime's store does (runtime; auto on Node 22)`, async () => {
      const fn = await leak.start({ timeoutMs: 3000, env: { MIDDY_DEADLINE_ASYNC_CONTEXT: setting } })
      // The timer comes due while the next invocation works (frozen in between, the process is
      // thawed for it). Not earlier: a timer already due at the thaw fires before the runtime hands
      // the next invocation out, between the two, where there is no deadline to find; 600 ms leave
      // the harness room to freeze and thaw on a loaded machine.
      const first = await fn.invoke<LeakProbe>({ leaveMs: 600 })
      const second = await fn.invoke<LeakProbe>({ workMs: 1200 })
      expect([first.status, second.status]).toEqual(['ok', 'ok'])

      const major = Number(second.response?.node.slice(1).split('.')[0])
      const isolated = isolatedBy[setting](major)
      expect(second.response?.inRuntimeStore).toBe(!isolated)
      expect(linesWith(second.logs, `leaked work from ${first.requestId} sees`)).toEqual([
        expect.stringContaining(isolated ? 'sees no deadline' : `sees ${second.requestId}`),
      ])
      const outbound = JSON.stringify(timingRecord(second)?.outbound ?? null)
      if (isolated) expect(outbound).not.toContain(`leaked-from-${first.requestId}`)
      else expect(outbound).toContain(`leaked-from-${first.requestId}`)
    })
  }
})

describe('work left behind by one invocation, run during another (multi-concurrency mode, AWS_LAMBDA_MAX_CONCURRENCY)', () => {
  for (const setting of ['auto', 'own', 'runtime'] as const) {
    it(`MIDDY_DEADLINE_ASYNC_CONTEXT=${setting}: finds no deadline and is not counted in the invocation running then (the runtime's store is per invocation; the setting changes nothing)`, async () => {
      const fn = await leak.start({ timeoutMs: 3000, maxConcurrency: 2, env: { MIDDY_DEADLINE_ASYNC_CONTEXT: setting } })
      // Both at once on the one worker thread: the first ends at once and leaves a timer that fires
      // while the second still works (never frozen in this mode).
      const [first, second] = await Promise.all([fn.invoke<LeakProbe>({ leaveMs: 300 }), fn.invoke<LeakProbe>({ workMs: 1500 })])
      expect([first.status, second.status]).toEqual(['ok', 'ok'])
      expect(second.response?.inRuntimeStore).toBe(true)

      // A worker thread's lines go through the main thread, and the leaked line is tagged with the
      // first invocation's id (its async context): read the whole log stream once all are in.
      const leaked = `leaked work from ${first.requestId} sees`
      const at = (found: (line: string) => boolean) => fn.logs.findIndex(found)
      const recordLine = (result: InvokeResult) => (line: string) => timingRecord({ ...result, logs: [line] }) !== undefined
      for (let waited = 0; waited < 5000 && at(recordLine(second)) < 0; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50))
      expect(linesWith(fn.logs, leaked)).toEqual([expect.stringContaining(`${leaked} no deadline`)])
      // It ran after the first invocation had ended and before the second did.
      expect(at(recordLine(first))).toBeGreaterThanOrEqual(0)
      expect(at(recordLine(first))).toBeLessThan(at((line) => line.includes(leaked)))
      expect(at((line) => line.includes(leaked))).toBeLessThan(at(recordLine(second)))
      expect(JSON.stringify(timingRecord({ ...second, logs: [...fn.logs] })?.outbound ?? null)).not.toContain(
        `leaked-from-${first.requestId}`,
      )
    })
  }
})

describe('multi-concurrency mode (AWS_LAMBDA_MAX_CONCURRENCY) with two runtime worker threads', () => {
  it('reports one cold start per worker thread: each thread initialises once, and its first invocation says so', async () => {
    const fn = await threads.start({ timeoutMs: 2000, maxConcurrency: 6, workers: 2 })
    const wave = () => Promise.all(Array.from({ length: 6 }, () => fn.invoke<{ requestId: string; threadId: number }>({ workMs: 100 })))
    // The first wave may all go to the thread that came up first. The second waits until both
    // threads ask for work: on a loaded machine the second thread's init outlasted the first wave,
    // and the second went to one thread as well.
    const first = await wave()
    await fn.whenPolling(2)
    const results = [...first, ...(await wave())]
    expect(results.map((r) => r.status)).toEqual(Array(12).fill('ok'))
    expect(fn.processesStarted).toBe(1)
    // A worker thread's stdout goes through the main thread: on a loaded machine a record may come
    // after its invocation's logs were closed. Read the whole log stream, once every record is in.
    const recordOf = (result: InvokeResult) =>
      jsonRecords(fn.logs).find((record) => 'coldStart' in record && record.requestId === result.requestId)
    for (let waited = 0; waited < 5000 && !results.every(recordOf); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50))

    const byThread = new Map<number, InvokeResult[]>()
    for (const result of results) {
      const thread = (result.response as { threadId: number }).threadId
      byThread.set(thread, [...(byThread.get(thread) ?? []), result])
    }
    expect(byThread.size).toBe(2)
    for (const served of byThread.values()) {
      const records = served.map(recordOf)
      expect(records.every((record) => record !== undefined)).toBe(true)
      const cold = records.filter((record) => record?.coldStart === true)
      expect(cold).toHaveLength(1)
      expect(cold[0]?.initDurationMs).toBeGreaterThan(0)
    }
  })
})
