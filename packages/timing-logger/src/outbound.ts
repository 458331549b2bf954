import { callGuarded, type Deadline, outboundCallsSnapshot, recordName, warnOnFailure } from '@middy-deadline/deadline/internal'
import { PACKAGE } from './options.js'
import { round } from './phases.js'

// The outbound package's call log is read through the deadline package (its key and reader), not
// by importing that optional package; its shape is read defensively so that a different version
// degrades to "no summary", never to a crash.

export interface OutboundCallSummary {
  kind: string | undefined
  label: string | undefined
  method: string | undefined
  /** The call's URL as outbound-fetch-timeout shows it: its origin unless describeTarget says more; never credentials, a query string or a fragment. */
  target: string | undefined
  durationMs: number
  outcome: string
  status: number | undefined
}

export interface OutboundSummary {
  started: number
  ok: number
  error: number
  timeout: number
  aborted: number
  /** Still running when the invocation ended. */
  pending: number
  /** Sum of the finished calls' durations (calls may overlap, so it can exceed the wall time). */
  totalMs: number
  /** The slowest calls, finished or pending, slowest first. */
  slowest: OutboundCallSummary[]
}

const SLOWEST = 3
const summaryFailed = warnOnFailure('outbound', PACKAGE, 'could not read the outbound calls; the record goes without them')

export function outboundSummaryOf(deadline: Deadline, custom: ((deadline: Deadline) => unknown) | undefined): unknown {
  if (custom !== undefined) return callGuarded(custom, undefined, [deadline], summaryFailed)
  try {
    const snapshot = outboundCallsSnapshot(deadline)
    return snapshot === undefined ? undefined : summarize(snapshot)
  } catch (error) {
    summaryFailed(error)
    return undefined
  }
}

function summarize(snapshot: unknown): OutboundSummary | undefined {
  const { counts, recent, pending, totalDurationMs } = (snapshot ?? {}) as Record<string, unknown>
  if (typeof counts !== 'object' || counts === null) return undefined
  const count = (key: string) => numberOr((counts as Record<string, unknown>)[key], 0)
  const calls: Record<string, unknown>[] = [...listOf(recent), ...listOf(pending).map((call) => ({ ...call, outcome: 'pending' }))]
  calls.sort((a, b) => numberOr(b.durationMs, 0) - numberOr(a.durationMs, 0))
  return {
    started: count('started'),
    ok: count('ok'),
    error: count('error'),
    timeout: count('timeout'),
    aborted: count('aborted'),
    pending: listOf(pending).length,
    totalMs: round(numberOr(totalDurationMs, 0)),
    slowest: calls.slice(0, SLOWEST).map(describeCall),
  }
}

function describeCall(call: Record<string, unknown>): OutboundCallSummary {
  return {
    kind: recordName(call.kind),
    label: recordName(call.label),
    method: recordName(call.method),
    // As the call record shows it (its origin, or what describeTarget says), never a query string.
    target: recordName(typeof call.url === 'string' ? call.url.split(/[?#]/, 1)[0] : undefined),
    durationMs: round(numberOr(call.durationMs, 0)),
    outcome: recordName(call.outcome) ?? 'unknown',
    status: typeof call.status === 'number' ? call.status : undefined,
  }
}

function listOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'object' && item !== null) : []
}

const numberOr = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback)
