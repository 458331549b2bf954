import type { Cell } from './cells.js'
import { isSqs } from './cells.js'
import { RECORD_IDS } from './chain.js'

/**
 * What the docs promise for a cell, written once as rules over its features (not per cell). Where a
 * cell cannot keep a promise, a row of a "Composing with …" table in the docs says what happens
 * instead (exceptions.ts), and that replaces the rule's answer here.
 */

export type Answer =
  | { readonly kind: 'status'; readonly statusCode: number }
  | { readonly kind: 'partial'; readonly failures: readonly string[] }
  | { readonly kind: 'error'; readonly name: string }

export type Outcome = 'success' | 'error' | 'early-response' | 'timeout'

export interface Expected {
  answer: Answer
  /** The one timing record. */
  record: { outcome: Outcome; errorName: string | undefined }
  /** Timeout records, and `onTimeout` hook calls: one each exactly when the cutoff acted. */
  cutoffActs: boolean
}

/** The chain's features the rules read, from the chain as built (outermost first). */
export interface Features {
  readonly errorHandler: boolean
  /** The error handler runs its `onError` before gracefulTimeout's (it comes after it in `.use()`). */
  readonly errorHandlerInsideGraceful: boolean
}

export function featuresOf(names: readonly string[]): Features {
  const errorHandler = names.indexOf('httpErrorHandler')
  return {
    errorHandler: errorHandler !== -1,
    errorHandlerInsideGraceful: errorHandler > names.indexOf('gracefulTimeout'),
  }
}

const TIMEOUT = 'TimeoutError'

export function expectedOf(cell: Cell, features: Features): Expected {
  return isSqs(cell.neighbours) ? batchExpected(cell) : httpExpected(cell, features)
}

function httpExpected(cell: Cell, { errorHandler }: Features): Expected {
  const ok = { kind: 'status', statusCode: 200 } as const
  // The invocation's own timeout, settled by gracefulTimeout: a 504 behind an error handler.
  const timedOut = (errorName: string): Expected => ({
    answer: errorHandler ? { kind: 'status', statusCode: 504 } : { kind: 'error', name: TIMEOUT },
    record: { outcome: 'timeout', errorName },
    cutoffActs: true,
  })
  switch (cell.path) {
    case 'success':
    case 'stream-success':
      return { answer: ok, record: { outcome: 'success', errorName: undefined }, cutoffActs: false }
    case 'throws':
      return {
        answer: errorHandler ? { kind: 'status', statusCode: 500 } : { kind: 'error', name: 'DbError' },
        record: { outcome: 'error', errorName: 'DbError' },
        cutoffActs: false,
      }
    case 'onerror-throws':
      // Middy stops the onError chain at the one that throws: nobody outside it runs.
      return { answer: { kind: 'error', name: 'ReporterError' }, record: { outcome: 'error', errorName: 'DbError' }, cutoffActs: false }
    case 'early':
      return { answer: { kind: 'status', statusCode: 304 }, record: { outcome: 'early-response', errorName: undefined }, cutoffActs: false }
    case 'honours':
    case 'stream-timeout':
      // The handler's await rejects with Node's AbortError at the cutoff.
      return timedOut('AbortError')
    case 'ignores':
    case 'middy-timeout-small':
    case 'middy-timeout-large':
      return timedOut(TIMEOUT)
    case 'late-answer':
      // With graceful.plugin, Middy's race is settled after the grace; without it, only 5 ms
      // before the hard deadline, and the late answer stands.
      if (cell.plugin === 'graceful') return timedOut(TIMEOUT)
      return { answer: ok, record: { outcome: 'success', errorName: undefined }, cutoffActs: true }
    case 'late-answer-announced':
      return { answer: ok, record: { outcome: 'success', errorName: undefined }, cutoffActs: true }
    default:
      throw new Error(`no rule for HTTP path ${cell.path}`)
  }
}

function batchExpected(cell: Cell): Expected {
  const partial = (...failures: string[]): Answer => ({ kind: 'partial', failures })
  const answered = (answer: Answer, cutoffActs: boolean): Expected => ({
    answer,
    record: { outcome: 'success', errorName: undefined },
    cutoffActs,
  })
  switch (cell.path) {
    case 'success':
      return answered(partial(), false)
    case 'record-fails':
      return answered(partial('m1'), false)
    case 'early':
      return { answer: partial(), record: { outcome: 'early-response', errorName: undefined }, cutoffActs: false }
    case 'throws':
      return {
        // @middy/sqs-partial-batch-failure answers any error of the handler with every record failed.
        answer: cell.neighbours === 'middy-sqs' ? partial(...RECORD_IDS) : { kind: 'error', name: 'DbError' },
        record: { outcome: 'error', errorName: 'DbError' },
        cutoffActs: false,
      }
    case 'onerror-throws':
      return { answer: { kind: 'error', name: 'ReporterError' }, record: { outcome: 'error', errorName: 'DbError' }, cutoffActs: false }
    case 'honours':
      // m1 and m3 stop at the cutoff and fail; the handler answers at once.
      return answered(partial('m1', 'm3'), true)
    case 'stuck-record':
    case 'middy-timeout-small':
    case 'middy-timeout-large':
      // m1 ignores its signal: the batch reports it after abandonAfterMs, the others are done.
      return answered(partial('m1'), true)
    default:
      throw new Error(`no rule for SQS path ${cell.path}`)
  }
}
