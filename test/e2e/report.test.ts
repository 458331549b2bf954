import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionReport, Report } from '../../packages/report/src/index.js'
import { drawnCharts, openBrowser } from '../../packages/report/test/browser.js'
import type { WorkloadEvent } from './functions/report-workload.js'
import { type InvokeResult, type LogEntry, repoRoot } from './harness/index.js'
import { functionUnderTest } from './lifecycle.js'

// A mixed workload under the real runtime client, two functions at once writing to one captured
// stream (Lambda's own START/END/REPORT lines emulated by the harness: text format for `orders`,
// JSON format for `reports`), written as `aws logs tail` prints it. The report (the built CLI)
// reads that file, and every number it prints is checked against what the invocations did.

const orders = functionUnderTest('test/e2e/functions/report-workload.ts')
const out = join(repoRoot, 'test/e2e/.build/report')
let downstream: Server
let slowUrl: string

beforeAll(async () => {
  // A downstream that answers after ?ms= milliseconds.
  downstream = createServer((req, res) => {
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0)
    setTimeout(() => res.end('ok'), ms)
  })
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve))
  slowUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/slow`
  mkdirSync(out, { recursive: true })
})

afterAll(async () => {
  downstream.closeAllConnections()
  await new Promise((resolve) => downstream.close(resolve))
})

/** `aws logs tail --format detailed`: `<ISO timestamp with offset> <log stream> <message>`. */
const tailLine = (entry: LogEntry) => `${new Date(entry.at).toISOString().replace('Z', '000+00:00')} ${entry.stream} ${entry.line}`

/** Nearest-rank quantile, as the report defines it. */
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.max(1, Math.ceil(q * values.length)) - 1] as number
const round2 = (value: number) => Math.round(value * 100) / 100

function runReport(file: string, format: 'json' | 'text' | 'html'): string {
  const result = spawnSync(process.execPath, [join(repoRoot, 'packages/report/dist/cli.js'), '--format', format, file], {
    encoding: 'utf8',
  })
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
  return result.stdout
}

describe('report, on the log stream of a real workload', () => {
  it('prints, per function, the outcomes, durations, cold starts, memory, phases, downstreams and advice the workload produced', async () => {
    const stream: LogEntry[] = []
    const onLog = (entry: LogEntry) => stream.push(entry)
    const a = await orders.start({
      handler: 'index.orders',
      functionName: 'orders',
      timeoutMs: 2000,
      memoryMb: 512,
      platformLines: 'text',
      onLog,
    })
    const b = await orders.start({
      handler: 'index.reports',
      functionName: 'reports',
      timeoutMs: 1000,
      memoryMb: 256,
      platformLines: 'json',
      onLog,
    })

    const fetch = (ms: number): WorkloadEvent => ({ kind: 'fetch', url: `${slowUrl}?ms=${ms}` })
    const ordersEvents: [string, WorkloadEvent][] = [
      ['cold', { kind: 'work', ms: 20 }],
      ...Array.from({ length: 5 }, (): [string, WorkloadEvent] => ['fast', { kind: 'work', ms: 20 }]),
      ...Array.from({ length: 3 }, (): [string, WorkloadEvent] => ['slow', { kind: 'work', ms: 700 }]),
      ...Array.from({ length: 2 }, (): [string, WorkloadEvent] => ['near-miss', { kind: 'work', ms: 1650 }]),
      ...Array.from({ length: 3 }, (): [string, WorkloadEvent] => ['downstream', fetch(150)]),
      ['downstream-cut', fetch(1500)],
      ['error', { kind: 'fail' }],
      ...Array.from({ length: 2 }, (): [string, WorkloadEvent] => ['batch', { kind: 'batch', items: 5, perItemMs: 40 }]),
      ['graceful', { kind: 'work', ms: 5000 }],
      ['kill', { kind: 'spin', ms: 4000 }],
      ['after-kill', { kind: 'work', ms: 20 }],
    ]
    const reportsEvents: [string, WorkloadEvent][] = [
      ...Array.from({ length: 3 }, (): [string, WorkloadEvent] => ['fast', { kind: 'work', ms: 10 }]),
      ['kill', { kind: 'spin', ms: 2000 }],
      ['after-kill', { kind: 'work', ms: 10 }],
    ]
    const sequence = async (fn: typeof a, events: [string, WorkloadEvent][]) => {
      const results: { label: string; result: InvokeResult }[] = []
      for (const [label, event] of events) results.push({ label, result: await fn.invoke(event) })
      return results
    }
    const [ran, ranB] = await Promise.all([sequence(a, ordersEvents), sequence(b, reportsEvents)])

    const file = join(out, 'workload.log')
    writeFileSync(file, `${stream.map(tailLine).join('\n')}\n`)
    const report = JSON.parse(runReport(file, 'json')) as Report
    writeFileSync(join(out, 'workload.json'), JSON.stringify(report, null, 2))
    writeFileSync(join(out, 'workload.txt'), runReport(file, 'text'))
    writeFileSync(join(out, 'workload.html'), runReport(file, 'html'))

    const byName = (name: string) => report.functions.find((fn) => fn.function === name) as FunctionReport
    expect(report.functions.map((fn) => [fn.function, fn.version])).toEqual([
      ['orders', '$LATEST'],
      ['reports', '$LATEST'],
    ])
    expect(report.input.skipped).toMatchObject({ malformed: 0, truncated: 0, lateLines: 0 })

    // ---- orders: every middleware of ours ----
    const o = byName('orders')
    const status = (label: string) => ran.filter((r) => r.label === label).map((r) => r.result.status)
    expect(status('graceful')).toEqual(['ok'])
    expect(status('kill')).toEqual(['timeout'])
    expect(status('error')).toEqual(['error'])
    expect(o.invocations).toBe(ordersEvents.length)
    expect(o.outcomes).toEqual({ success: ordersEvents.length - 3, error: 1, gracefulTimeout: 1, hardKill: 1, unknown: 0 })
    expect(o).toMatchObject({ hardKillsSeenOnlyByLambda: 0, blockedAtCutoff: 1, killedAfterCutoff: 0, nearMisses: 2 })
    expect(o.timeout).toEqual({ ms: 2000, source: 'lambda' })
    // Lambda's Duration is the harness's hand-out-to-answer time, printed with two decimals.
    const durations = ran.map((r) => round2(r.result.durationMs))
    expect(o.duration).toMatchObject({
      count: durations.length,
      p50: quantile(durations, 0.5),
      p90: quantile(durations, 0.9),
      max: Math.max(...durations),
      source: { lambda: durations.length, record: 0 },
      exact: true,
    })
    expect(o.timeoutShare?.max).toBeCloseTo(Math.max(...durations) / 2000, 3)
    expect(o.coldStarts.count).toBe(ran.filter((r) => r.result.coldStart).length)
    expect(o.coldStarts.count).toBe(2)
    expect(o.coldStarts.init?.count).toBe(2)
    expect(o.memory.configuredMB).toBe(512)
    expect(o.memory.used?.max).toBeGreaterThan(20)
    // Phases: every invocation with a timing record (all but the killed one) has a handler phase.
    expect(o.phases.find((p) => p.name === 'handler')?.invocations).toBe(ordersEvents.length - 1)
    // outbound-fetch-timeout labels a call by its host: the report names the downstream by that label.
    const target = o.outbound.targets.find((t) => t.target === new URL(slowUrl).host)
    expect(target).toMatchObject({ calls: 4, outcomes: { ok: 3, timeout: 1 } })
    expect(target?.max).toBeGreaterThanOrEqual(495)
    expect(target?.p50).toBeGreaterThanOrEqual(150)
    expect(o.settle).toMatchObject({ count: 1, reserveMs: 200 })
    expect(o.batch?.maxBatchSize).toBe(5)
    expect(o.batch?.perRecord?.p50).toBeGreaterThanOrEqual(40)
    const advice = Object.fromEntries(o.recommendations.map((r) => [r.kind === 'per-request-limit' ? `limit ${r.target}` : r.kind, r]))
    expect(advice.timeout).toMatchObject({ action: 'raise', current: 2000 })
    expect(advice.reserve).toMatchObject({ current: 200, evidence: { settled: 1 } })
    expect(advice[`limit ${target?.target}`]).toMatchObject({ action: 'set', evidence: { calls: 4, timeouts: 1 } })
    expect(advice['batch-size']).toMatchObject({ evidence: { observedMaxBatch: 5 } })
    // The spinning invocation blocked the event loop at its cutoff: evidence of CPU-bound work.
    expect(advice.memory).toMatchObject({ action: 'raise', value: 1769, current: 512, evidence: { blockedAtCutoff: 1 } })

    // ---- reports: timing logger only, JSON log format; its kill is seen only by Lambda ----
    const r = byName('reports')
    expect(r.invocations).toBe(reportsEvents.length)
    expect(r.outcomes).toEqual({ success: 4, error: 0, gracefulTimeout: 0, hardKill: 1, unknown: 0 })
    expect(r.hardKillsSeenOnlyByLambda).toBe(1)
    expect(r.timeout).toEqual({ ms: 1000, source: 'lambda' })
    expect(r.coldStarts.count).toBe(2)
    expect(r.memory.configuredMB).toBe(256)
    const durationsB = ranB.map((x) => round2(x.result.durationMs))
    expect(r.duration).toMatchObject({ count: 5, p50: quantile(durationsB, 0.5), max: Math.max(...durationsB) })

    // The text report says the same numbers.
    const text = runReport(file, 'text')
    expect(text).toContain(
      `${o.invocations} invocations: ${o.outcomes.success} success, 1 error, 1 graceful timeout, 1 hard kill (0 seen only in Lambda's lines); 2 near-misses`,
    )
    expect(text).toContain("5 invocations: 4 success, 0 error, 0 graceful timeout, 1 hard kill (1 seen only in Lambda's lines)")

    // The HTML report of the same file, in Chromium: one point per invocation on each durations chart.
    const { context, close } = await openBrowser()
    try {
      const page = await context.newPage()
      await page.goto(pathToFileURL(join(out, 'workload.html')).href)
      await page.waitForSelector('body[data-charts="6"]', { timeout: 10_000 })
      const charts = await page.evaluate(drawnCharts)
      expect(charts.filter((c) => c.kind === 'durations').map((c) => c.points)).toEqual([o.invocations, r.invocations])
      expect(charts.filter((c) => c.kind === 'phases').map((c) => c.points)).toEqual([10, r.invocations - 1])
      for (const chart of charts) expect(chart.inked, chart.id).toBeGreaterThan(500)
      await page.screenshot({ path: join(out, 'workload.png'), fullPage: true })
    } finally {
      await close()
    }
  }, 90_000)
})
