import type { MiddlewareObj, Request } from '@middy/core'
import {
  callGuarded,
  type Deadline,
  deadlineOf,
  existingDeadlineOf,
  jsonLine,
  namedMiddleware,
  releaseDeadline,
  timelineOf,
  warnOnce,
  warnOnFailure,
} from '@middy-deadline/deadline/internal'
import { type ColdStart, takeColdStart } from './cold-start.js'
import { handlerAnswered, watchEarlyResponse } from './early-response.js'
import { emfDocument } from './emf.js'
import { watchErrors } from './first-error.js'
import { PACKAGE, type TimingLoggerOptions, validate } from './options.js'
import { outboundSummaryOf } from './outbound.js'
import { isSampledOut, type Level, loggerNames, recordLine } from './output.js'
import { type OwnMarks, phasesOf, totalsOf } from './phases.js'
import { buildRecord, invocationEndOf, type TimingRecord } from './record.js'
import { type ServerTimingFigures, withServerTiming } from './server-timing.js'
import { isoTimestamp } from './timestamp.js'

/** Marks a request that a timing logger records; `Symbol.for` so that two copies of the package agree. */
const RECORDING = Symbol.for('@middy-deadline/timing-logger.recording')

/** What one invocation needs until its record is written; kept on its request. */
interface InvocationState {
  readonly cold: ColdStart
  readonly own: OwnMarks
}

/**
 * Writes one record per invocation: where the time went (per middleware and handler with
 * `deadlinePlugin()`), how close it came to the timeout, cold start, memory, outbound calls.
 * Written when the invocation's deadline ends, which happens on every path: after the chain,
 * after `onError` (a graceful-timeout settle included), and on an early response.
 * Use it first, so that it sees the whole chain: `middy(handler, { ...deadlinePlugin() }).use(timingLogger())`.
 */
// biome-ignore lint/suspicious/noExplicitAny: Middy's own default for the response type.
export function timingLogger<TEvent = unknown, TResult = any>(
  options: Partial<TimingLoggerOptions<TEvent, TResult>> = {},
): MiddlewareObj<TEvent, TResult> {
  const config = validate(options)
  const names = loggerNames(config.logger)
  // Per middleware instance, so two timing loggers in one chain keep their own state.
  const STATE = Symbol('@middy-deadline/timing-logger.state')
  type WithState = Request<TEvent, TResult> & { [STATE]?: InvocationState }

  const timingLoggerBefore = (request: WithState): void => {
    // Used twice in one chain (shared chains make it easy): the outer one writes the one record.
    if (RECORDING in request) {
      warnOnce(
        'timing-logger:twice',
        PACKAGE,
        'timingLogger used twice in one chain: the outer one writes the record, the inner one writes nothing',
      )
      return
    }
    ;(request as { [RECORDING]?: true })[RECORDING] = true
    const createdHere = existingDeadlineOf(request) === undefined
    const deadline = deadlineOf(request, middleware)
    const beforeAtMs = createdHere ? 0 : deadline.elapsed()
    const state: InvocationState = {
      cold: takeColdStart(beforeAtMs),
      own: { beforeAtMs, endStep: undefined },
    }
    request[STATE] = state
    // The plugin opened a phase for this very function: its `requestEnd` ends the deadline on
    // every path, and its phases tell whether the handler answered.
    const plugin = timelineOf(deadline).phases.length > 0
    if (!plugin) {
      warnOnce('timing-logger:no-plugin', PACKAGE, 'deadlinePlugin() is not set up: the record shows coarse phases only', {
        setup: 'middy(handler, { ...deadlinePlugin() })',
      })
      watchErrors(request)
    }
    // Middy hands an early response back before the deadline ends: the header goes on it then.
    if (!plugin || config.serverTiming)
      watchEarlyResponse(request, config.serverTiming ? (response) => timed(request, response, figuresNow(deadline, state)) : undefined)
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
    const own = request[STATE]?.own
    const deadline = existingDeadlineOf(request)
    if (own === undefined || deadline === undefined) return
    own.endStep = { step, atMs: deadline.elapsed() }
  }

  // Runs once, as the deadline ends: the response is final and not yet handed back to Lambda.
  const finish = (request: WithState, deadline: Deadline, state: InvocationState): void => {
    try {
      // With the plugin the handler ran if it has a phase; without it, the accessor saw its answer.
      // The first error the invocation raised: the plugin or the error accessor told the deadline.
      const answered = handlerAnswered(request) || timelineOf(deadline).phases.some(isHandlerPhase)
      // A handler may throw `undefined`: Middy then ran `onError` with no error to show for it, and
      // it failed even when an error handler answered (as @middy/http-error-handler does, by setting
      // the response): Middy runs `onError` only for something thrown.
      const failed = state.own.endStep?.step === 'onError'
      const ending = invocationEndOf(
        deadline.firstError,
        request.error,
        failed,
        deadline,
        'earlyResponse' in request && !answered,
        config.nearMissThreshold,
      )
      const { outcome, nearMiss } = ending
      const sampledOut = isSampledOut(outcome, nearMiss, state.cold.coldStart, config)
      // A routine invocation sampled out costs no record at all, unless metrics or the header need it.
      if (sampledOut && config.emf === undefined && !config.serverTiming) return
      const timestamp = Date.now()
      const level: Level = nearMiss || outcome === 'timeout' ? 'WARN' : 'INFO'
      const defaultOutput = config.logger === undefined && !sampledOut ? { timestamp: isoTimestamp(timestamp), level } : undefined
      const sampleRate = config.sampleRate < 1 ? config.sampleRate : undefined
      const outbound = outboundSummaryOf(deadline, config.summarizeOutbound)
      const record = buildRecord({ request, deadline, ending, own: state.own, cold: state.cold, outbound, defaultOutput, sampleRate })
      // Middy reads `request.response` after our after/onError, where the deadline ends.
      if (config.serverTiming && !(TIMED in request)) {
        const response = timed(request, request.response, record)
        if (response !== request.response) request.response = response as TResult
      }
      let lines = ''
      if (!sampledOut) {
        addUserFields(request, record)
        const userData = config.fields !== undefined || config.summarizeOutbound !== undefined
        lines = recordLine(record, level, config.logger, timestamp, names, userData)
      }
      if (config.emf !== undefined) lines += jsonLine(emfDocument(record, config.emf, timestamp))
      // One write for the record and the metrics: each line stays whole when other code logs at the
      // same time, and a write to stdout costs a system call (bench/micro.mjs).
      if (lines !== '') process.stdout.write(lines)
    } catch (error) {
      // The record is a diagnostic: losing it must never fail the user's invocation.
      recordFailed(error)
    }
  }

  // The fields hook's values go in as they are: the line is bounded and serialised with care
  // (jsonLine), so a value JSON cannot take is replaced there, not here.
  const addUserFields = (request: WithState, record: TimingRecord): void => {
    if (config.fields === undefined) return
    const extra = callGuarded(config.fields, undefined, [request, record], fieldsFailed)
    if (typeof extra !== 'object' || extra === null) return
    const target = record as unknown as Record<string, unknown>
    try {
      for (const [key, value] of Object.entries(extra)) if (target[key] === undefined) target[key] = value
    } catch (error) {
      fieldsFailed(error)
    }
  }

  const middleware: MiddlewareObj<TEvent, TResult> = namedMiddleware('timingLogger', {
    before: timingLoggerBefore,
    after: timingLoggerAfter,
    onError: timingLoggerOnError,
  })
  return middleware
}

const TIMED = Symbol('serverTimed')

/** The response with its Server-Timing header (once per invocation), or as it was. */
function timed(request: object, response: unknown, figures: ServerTimingFigures): unknown {
  ;(request as { [TIMED]?: true })[TIMED] = true
  return withServerTiming(response, figures) ?? response
}

/** The header's figures before the record exists (an early response). */
function figuresNow(deadline: Deadline, state: InvocationState): ServerTimingFigures {
  const endMs = deadline.elapsed()
  const { source, phases } = phasesOf(deadline, state.own, endMs)
  const totals = source === 'plugin' ? totalsOf(phases) : undefined
  return { durationMs: endMs, ...totals, coldStart: state.cold.coldStart, initDurationMs: state.cold.initDurationMs }
}

const recordFailed = warnOnFailure('finish', PACKAGE, 'could not write the timing record')
const fieldsFailed = warnOnFailure('fields', PACKAGE, 'the fields hook failed; the record goes without its fields')

const isHandlerPhase = (phase: { name: string }) => phase.name === 'handler'
