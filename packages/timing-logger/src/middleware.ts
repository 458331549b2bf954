import type { MiddlewareObj, Request } from '@middy/core'
import { type Deadline, deadlineOf, existingDeadlineOf, releaseDeadline, warnOnce } from '@middy-deadline/deadline'
import { type ColdStart, takeColdStart } from './cold-start.js'
import { watchEarlyResponse } from './early-response.js'
import { emfDocument } from './emf.js'
import { PACKAGE, type TimingLoggerOptions, validate } from './options.js'
import { outboundSummaryOf } from './outbound.js'
import { isSampledOut, levelOf, writeLine, writeRecord } from './output.js'
import { buildRecord, judge, type TimingRecord } from './record.js'
import { addServerTiming } from './server-timing.js'

/** What one invocation needs until its record is written; kept on its request. */
interface InvocationState {
  readonly cold: ColdStart
  readonly beforeAtMs: number
  endStepAtMs: number | undefined
  endStep: 'after' | 'onError' | undefined
  handlerAnswered: boolean
  written: boolean
}

/**
 * Writes one record per invocation: where the time went (per middleware and handler with
 * `deadlinePlugin()`), how close it came to the timeout, cold start, memory, outbound calls.
 * Written when the invocation's deadline ends, which happens on every path: after the chain,
 * after `onError` (a graceful-timeout settle included), and on an early response.
 * Use it first, so that it sees the whole chain: `middy(handler, { ...deadlinePlugin() }).use(timingLogger())`.
 */
// biome-ignore lint/suspicious/noExplicitAny: Middy's own default for the response type.
export function timingLogger<TEvent = unknown, TResult = any>(options: Partial<TimingLoggerOptions> = {}): MiddlewareObj<TEvent, TResult> {
  const config = validate(options)
  // Per middleware instance, so two timing loggers in one chain keep their own state.
  const STATE = Symbol('@middy-deadline/timing-logger.state')
  type WithState = Request<TEvent, TResult> & { [STATE]?: InvocationState }

  const timingLoggerBefore = (request: WithState): void => {
    const createdHere = existingDeadlineOf(request) === undefined
    const deadline = deadlineOf(request, middleware)
    const beforeAtMs = createdHere ? 0 : deadline.elapsed()
    if (deadline.currentPhase === undefined) {
      warnOnce('timing-logger:no-plugin', PACKAGE, 'deadlinePlugin() is not set up: the record shows coarse phases only', {
        setup: 'middy(handler, { ...deadlinePlugin() })',
      })
    }
    const state: InvocationState = {
      // performance.now() counts from the start of the process; the chain started `elapsed` ago.
      cold: takeColdStart(performance.now() - beforeAtMs),
      beforeAtMs,
      endStepAtMs: undefined,
      endStep: undefined,
      handlerAnswered: false,
      written: false,
    }
    request[STATE] = state
    watchEarlyResponse(request, () => {
      state.handlerAnswered = true
    })
    deadline.onEnd(() => finish(request, deadline, state))
  }

  const timingLoggerAfter = (request: WithState): void => {
    reachedEndStep(request, 'after')
    releaseDeadline(request, middleware)
  }

  const timingLoggerOnError = (request: WithState): void => {
    reachedEndStep(request, 'onError')
    releaseDeadline(request, middleware)
  }

  const reachedEndStep = (request: WithState, step: 'after' | 'onError'): void => {
    const state = request[STATE]
    const deadline = existingDeadlineOf(request)
    if (state === undefined || deadline === undefined) return
    state.endStepAtMs = deadline.elapsed()
    state.endStep = step
  }

  // Runs as the deadline ends: the response is final and not yet handed back to Lambda.
  const finish = (request: WithState, deadline: Deadline, state: InvocationState): void => {
    if (state.written) return
    state.written = true
    try {
      const input = {
        request,
        deadline,
        earlyResponse: 'earlyResponse' in request && !state.handlerAnswered,
        nearMissThreshold: config.nearMissThreshold,
      }
      const verdict = judge(input)
      const sampledOut = isSampledOut({ outcome: verdict.outcome, nearMiss: verdict.nearMiss, coldStart: state.cold.coldStart }, config)
      // A routine invocation sampled out costs no record at all, unless metrics or the header need it.
      if (sampledOut && config.emf === undefined && !config.serverTiming) return
      const own = { beforeAtMs: state.beforeAtMs, endStepAtMs: state.endStepAtMs, endStep: state.endStep }
      const record = buildRecord({ ...input, own, cold: state.cold, outbound: outboundOf(deadline) }, verdict)
      if (config.sampleRate < 1) record.sampleRate = config.sampleRate
      if (config.serverTiming) addServerTiming(request.response, record)
      const timestamp = Date.now()
      if (!sampledOut) {
        addUserFields(request, record)
        writeRecord(record, levelOf(record), config.logger, timestamp)
      }
      if (config.emf !== undefined) writeLine(emfDocument(record, config.emf, timestamp))
    } catch (error) {
      // The record is a diagnostic: losing it must never fail the user's invocation.
      warnOnce(`finish:${String(error)}`, PACKAGE, 'could not write the timing record', { error: String(error) })
    }
  }

  const outboundOf = (deadline: Deadline) => outboundSummaryOf(deadline, config.summarizeOutbound)

  const addUserFields = (request: WithState, record: TimingRecord): void => {
    if (config.fields === undefined) return
    let extra: Record<string, unknown> | undefined
    try {
      extra = config.fields(request as Request, record)
    } catch (error) {
      warnOnce(`fields:${String(error)}`, PACKAGE, 'the fields hook threw; the record goes without its fields', { error: String(error) })
      return
    }
    if (typeof extra !== 'object' || extra === null) return
    const target = record as unknown as Record<string, unknown>
    for (const [key, value] of Object.entries(extra)) if (!(key in target)) target[key] = value
  }

  const middleware: MiddlewareObj<TEvent, TResult> = {
    before: timingLoggerBefore,
    after: timingLoggerAfter,
    onError: timingLoggerOnError,
  }
  return middleware
}
