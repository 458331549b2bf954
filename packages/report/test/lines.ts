// Log lines as our packages and Lambda write them, for the tests (and the big-input bench). The
// shapes follow timing-logger's record.ts, graceful-timeout's record.ts, and Lambda's own lines in
// the text and JSON log formats.

export interface TimingLine {
  requestId: string
  functionName?: string
  functionVersion?: string
  outcome?: 'success' | 'error' | 'timeout' | 'early-response'
  durationMs: number
  budgetMs?: number
  remainingMs?: number
  coldStart?: boolean
  initDurationMs?: number
  phases?: { name: string; durationMs: number }[]
  calls?: { target: string; durationMs: number; outcome?: string; method?: string }[]
  callsStarted?: number
  maxRssMB?: number
  memoryLimitMB?: number
  batchSize?: number
  timestamp?: string
}

export function timingLine(t: TimingLine): string {
  const budget = t.budgetMs ?? 2998
  const calls = t.calls ?? []
  return JSON.stringify({
    timestamp: t.timestamp ?? '2026-11-30T10:00:00.000Z',
    level: 'INFO',
    message: `invocation ${t.outcome ?? 'success'}`,
    requestId: t.requestId,
    functionName: t.functionName ?? 'orders',
    functionVersion: t.functionVersion ?? '$LATEST',
    outcome: t.outcome ?? 'success',
    coldStart: t.coldStart ?? false,
    initDurationMs: t.initDurationMs,
    durationMs: t.durationMs,
    budgetMs: budget,
    remainingMs: t.remainingMs ?? budget - t.durationMs,
    timeoutUsedShare: Math.round((t.durationMs / budget) * 1000) / 1000,
    nearMiss: t.durationMs / budget >= 0.8,
    cutoffReached: t.outcome === 'timeout',
    timingSource: 'plugin',
    phases: (t.phases ?? [{ name: 'handler', durationMs: t.durationMs }]).map((p, i) => ({ ...p, startMs: i })),
    marks: [],
    outbound:
      calls.length === 0
        ? undefined
        : {
            started: t.callsStarted ?? calls.length,
            ok: calls.length,
            error: 0,
            timeout: 0,
            aborted: 0,
            pending: 0,
            totalMs: calls.reduce((sum, c) => sum + c.durationMs, 0),
            slowest: calls.map((c) => ({
              kind: 'fetch',
              method: c.method ?? 'GET',
              target: c.target,
              durationMs: c.durationMs,
              outcome: c.outcome ?? 'ok',
            })),
          },
    maxRssMB: t.maxRssMB ?? 90,
    memoryLimitMB: t.memoryLimitMB ?? 1024,
    batchSize: t.batchSize,
  })
}

export interface TimeoutLine {
  requestId: string
  source?: 'main' | 'watchdog'
  elapsedMs: number
  budgetMs?: number
  reserveMs?: number
  pending?: { url: string; durationMs: number; method?: string }[]
  timestamp?: string
}

export function timeoutLine(t: TimeoutLine): string {
  const budget = t.budgetMs ?? 2998
  return JSON.stringify({
    level: 'ERROR',
    message: `Invocation reached its cutoff after ${t.elapsedMs} ms`,
    package: '@middy-deadline/graceful-timeout',
    source: t.source ?? 'main',
    trigger: 'cutoff',
    requestId: t.requestId,
    budgetMs: budget,
    reserveMs: t.reserveMs ?? 500,
    elapsedMs: t.elapsedMs,
    remainingMs: budget - t.elapsedMs,
    phase: 'handler',
    marks: [],
    pending: t.pending?.map((p) => ({ kind: 'fetch', method: p.method ?? 'GET', url: p.url, durationMs: p.durationMs })),
    timestamp: t.timestamp,
  })
}

export const startLine = (id: string, version = '$LATEST') => `START RequestId: ${id} Version: ${version}`
export const endLine = (id: string) => `END RequestId: ${id}`

export interface ReportLine {
  durationMs: number
  memorySizeMB?: number
  maxMemoryUsedMB?: number
  initDurationMs?: number
  status?: string
}

export function reportLine(id: string, r: ReportLine): string {
  const fields = [
    `REPORT RequestId: ${id}`,
    `Duration: ${r.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.ceil(r.durationMs)} ms`,
    `Memory Size: ${r.memorySizeMB ?? 1024} MB`,
    `Max Memory Used: ${r.maxMemoryUsedMB ?? 90} MB`,
  ]
  if (r.initDurationMs !== undefined) fields.push(`Init Duration: ${r.initDurationMs.toFixed(2)} ms`)
  if (r.status !== undefined) fields.push(`Status: ${r.status}`)
  return `${fields.join('\t')}\t`
}

export function platformReport(id: string, r: ReportLine): string {
  return JSON.stringify({
    time: '2026-11-30T10:00:00.000Z',
    type: 'platform.report',
    record: {
      requestId: id,
      metrics: {
        durationMs: r.durationMs,
        billedDurationMs: Math.ceil(r.durationMs),
        memorySizeMB: r.memorySizeMB ?? 1024,
        maxMemoryUsedMB: r.maxMemoryUsedMB ?? 90,
        initDurationMs: r.initDurationMs,
      },
      status: r.status ?? 'success',
    },
  })
}

export const platformStart = (id: string, version = '$LATEST') =>
  JSON.stringify({ time: '2026-11-30T10:00:00.000Z', type: 'platform.start', record: { requestId: id, version } })

export const timedOutLine = (id: string, seconds: number) =>
  `2026-11-30T10:00:03.000Z ${id} Task timed out after ${seconds.toFixed(2)} seconds`

/** A request id shaped like Lambda's, numbered so tests can tell them apart. */
export const requestId = (n: number, prefix = 'a') => `${prefix.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-${String(n).padStart(12, '0')}`

/** One complete invocation in the text log format, with our timing record. */
export function invocationLines(id: string, timing: Omit<TimingLine, 'requestId'>, report: Partial<ReportLine> = {}): string[] {
  return [
    startLine(id),
    timingLine({ ...timing, requestId: id }),
    endLine(id),
    reportLine(id, { durationMs: timing.durationMs + 1, initDurationMs: timing.coldStart ? timing.initDurationMs : undefined, ...report }),
  ]
}
