import { deadline } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { flushPowertools } from '@middy-deadline/graceful-timeout/powertools'
import { outboundFetchTimeout, withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { awsSdkDeadlinePlugin } from '@middy-deadline/outbound-fetch-timeout/aws-sdk'
import {
  budgetRunner,
  createDurationEstimator,
  dynamodbStreamBatch,
  kinesisBatch,
  remainingTimeBudget,
  runWithinBudget,
  sqsBatch,
} from '@middy-deadline/remaining-time-budget'
import { invocationHasTimeFor, stepWithinBudget } from '@middy-deadline/remaining-time-budget/durable'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import { timingLogger } from '@middy-deadline/timing-logger'

/** Every exported factory and helper that takes options, called with `options` (sync or async). */
export interface OptionEntry {
  readonly name: string
  readonly packageName: string
  /** Options that work, for tests that change one thing at a time. */
  readonly valid: Record<string, unknown>
  /** Some options must be given (`flushPowertools` needs something to flush). */
  readonly needsOptions?: true
  /** How errors name the options object itself; `options` unless the docs call it otherwise. */
  readonly objectName?: string
  /**
   * Options the entry uses at once, as given (the testing package's clock and context): what they
   * throw is the caller's own. The property over any options object leaves them out.
   */
  readonly usedAtCreation?: readonly string[]
  create(options: unknown): unknown
}

const D = '@middy-deadline/deadline'
const G = '@middy-deadline/graceful-timeout'
const O = '@middy-deadline/outbound-fetch-timeout'
const R = '@middy-deadline/remaining-time-budget'
const T = '@middy-deadline/timing-logger'
const X = '@middy-deadline/testing'
const noop = () => {}
const durableContext = {
  step: async (_name: string, fn: () => unknown) => fn(),
  wait: async () => {},
  lambdaContext: { getRemainingTimeInMillis: () => 10_000 },
}

export const OPTION_ENTRIES: readonly OptionEntry[] = [
  { name: 'deadline()', packageName: D, valid: { reserveMs: 10 }, create: (o) => deadline(o as never) },
  { name: 'gracefulTimeout()', packageName: G, valid: { reserveMs: 10 }, create: (o) => gracefulTimeout(o as never) },
  {
    name: 'flushPowertools()',
    packageName: G,
    valid: { logger: { flushBuffer: noop } },
    needsOptions: true,
    create: (o) => flushPowertools(o as never),
  },
  { name: 'outboundFetchTimeout()', packageName: O, valid: { perRequestMs: 100 }, create: (o) => outboundFetchTimeout(o as never) },
  { name: 'withDeadline()', packageName: O, valid: { label: 'db' }, create: (o) => withDeadline(Promise.resolve(1), o as never) },
  { name: 'awsSdkDeadlinePlugin()', packageName: O, valid: { perRequestMs: 100 }, create: (o) => awsSdkDeadlinePlugin({}, o as never) },
  { name: 'remainingTimeBudget()', packageName: R, valid: { reserveMs: 10 }, create: (o) => remainingTimeBudget(o as never) },
  { name: 'budgetRunner()', packageName: R, valid: { concurrency: 2 }, create: (o) => budgetRunner(o as never) },
  {
    name: 'budgetRunner()(items, fn, call)',
    packageName: R,
    valid: { orderKey: noop },
    create: (o) => budgetRunner()([], noop, o as never),
  },
  { name: 'runWithinBudget()', packageName: R, valid: { concurrency: 2 }, create: (o) => runWithinBudget([], noop, o as never) },
  { name: 'sqsBatch()', packageName: R, valid: { fifo: true }, create: (o) => sqsBatch(noop, o as never) },
  { name: 'kinesisBatch()', packageName: R, valid: { reserveMs: 100 }, create: (o) => kinesisBatch(noop, o as never) },
  { name: 'dynamodbStreamBatch()', packageName: R, valid: { reserveMs: 100 }, create: (o) => dynamodbStreamBatch(noop, o as never) },
  { name: 'createDurationEstimator()', packageName: R, valid: { windowSize: 8 }, create: (o) => createDurationEstimator(o as never) },
  {
    name: 'stepWithinBudget()',
    packageName: R,
    valid: { expectedMs: 10 },
    needsOptions: true,
    objectName: 'budget',
    create: (o) => stepWithinBudget(durableContext as never, 'step', async () => 1, o as never),
  },
  { name: 'timingLogger()', packageName: T, valid: { sampleRate: 0.5 }, create: (o) => timingLogger(o as never) },
  {
    name: 'createLambdaContext()',
    packageName: X,
    valid: { timeoutMs: 1000 },
    usedAtCreation: ['now'],
    create: (o) => createLambdaContext(o as never),
  },
  {
    name: 'invokeWithTimeout()',
    packageName: X,
    valid: { timeoutMs: 1000 },
    usedAtCreation: ['now', 'context'],
    create: (o) => invokeWithTimeout(noop, {}, o as never),
  },
]

/** The error `create(options)` fails with, sync or as a rejection; `undefined` when it does not fail. */
export async function creationError(entry: OptionEntry, options: unknown): Promise<unknown> {
  try {
    await entry.create(options)
    return undefined
  } catch (error) {
    return error
  }
}

/** Entry points whose arguments other than an options object are checked too: one bad argument each. */
export const ARGUMENT_ENTRIES: readonly { name: string; packageName: string; option: string; call: () => unknown }[] = [
  {
    name: 'invocationHasTimeFor(context, -1)',
    packageName: R,
    option: 'ms',
    call: () => invocationHasTimeFor(durableContext as never, -1),
  },
  {
    name: 'invocationHasTimeFor(context, 1, NaN)',
    packageName: R,
    option: 'reserveMs',
    call: () => invocationHasTimeFor(durableContext as never, 1, Number.NaN),
  },
  { name: 'invocationHasTimeFor(null)', packageName: R, option: 'context', call: () => invocationHasTimeFor(null as never, 1) },
  { name: 'sqsBatch(undefined)', packageName: R, option: 'recordFn', call: () => sqsBatch(undefined as never) },
  { name: 'kinesisBatch("fn")', packageName: R, option: 'recordFn', call: () => kinesisBatch('fn' as never) },
  { name: 'budgetRunner()([], undefined)', packageName: R, option: 'fn', call: () => budgetRunner()([], undefined as never) },
  { name: 'awsSdkDeadlinePlugin(null)', packageName: O, option: 'config', call: () => awsSdkDeadlinePlugin(null as never) },
  {
    name: 'stepWithinBudget(context, "")',
    packageName: R,
    option: 'name',
    call: () => stepWithinBudget(durableContext as never, '', noop as never, { expectedMs: 1 }),
  },
  {
    name: 'stepWithinBudget({})',
    packageName: R,
    option: 'context.step',
    call: () => stepWithinBudget({} as never, 'x', noop as never, { expectedMs: 1 }),
  },
]
