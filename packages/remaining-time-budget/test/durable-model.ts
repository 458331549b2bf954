import type { DurableContext, RetryDecision } from '@aws/durable-execution-sdk-js'
import { createLambdaContext } from '@middy-deadline/testing'
import type { Context } from 'aws-lambda'

/**
 * The smallest model of Lambda's per-invocation timeout around the durable SDK's local test
 * runner, which has none: its Lambda context always reports 900 000 ms left and it never kills
 * an invocation. The runner's own time skipping (`skipTime`) still handles every durable wait
 * and retry. What is simulated here, and nothing more:
 *
 * 1. Work time. A step's "14 minutes of work" moves a model clock (`Date.now()` plus the work
 *    done so far) instead of taking real time. The runner's fake clock is left alone, so that it
 *    stays in step with the runner's checkpoint worker, which stamps wait end times with its own
 *    clock.
 *    The runner skips a wait by ticking its fake clock past the wait's end, which leaves that clock
 *    ahead of the worker's from then on; a later wait would then look already due to the SDK and
 *    complete inside the invocation that started it, which cannot happen on Lambda. So each
 *    invocation starts with the fake clock set back to the real time (`setSystemTime`, which
 *    fires no timer).
 * 2. The timeout. Each invocation gets a context whose getRemainingTimeInMillis() counts down
 *    from the function timeout on the model clock (createLambdaContext, computed as Lambda does).
 * 3. The kill. Work that would run past the invocation's end moves the model clock to that end
 *    and throws `SimulatedTimeout` instead of finishing. The steps get a retry strategy that
 *    retries exactly that error, so the SDK checkpoints a retry and ends the invocation, and the
 *    runner starts a new invocation that replays and runs the step again. On Lambda the
 *    invocation is killed and the durable service invokes the function again (a backend retry,
 *    not a step retry); in both cases the step's work starts again from scratch in a new
 *    invocation with a fresh timeout, which is what the scenario counts.
 */
export class SimulatedTimeout extends Error {
  override readonly name = 'SimulatedTimeout'
}

export interface Ledger {
  invocations: number
  /** Per step name: how many times its work started, and how many times it finished. */
  started: Record<string, number>
  finished: Record<string, number>
  killed: number
  /** Per step start: the step's name and the time left in its invocation when it started. */
  starts: { name: string; leftMs: number }[]
  /** Milliseconds of simulated work so far (the model clock's lead over Date.now()). */
  workedMs: number
}

// Taken before the runner installs its fake timers: the real clock, to re-align the fake one.
const realNow = Date.now.bind(Date)

interface FakeClock {
  setSystemTime(now: number): void
}

function realignFakeClock(): void {
  // @sinonjs/fake-timers hangs its clock on the fake Date it installs.
  const clock = (Date as unknown as { clock?: FakeClock }).clock
  if (clock === undefined) throw new Error('no fake clock: call LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }) first')
  clock.setSystemTime(realNow())
}

export const newLedger = (): Ledger => ({ invocations: 0, started: {}, finished: {}, killed: 0, starts: [], workedMs: 0 })

type DurableHandler = (event: never, context: Context) => Promise<unknown>

/** Wraps a `withDurableExecution` handler so that every invocation has `timeoutMs`. */
export function withFunctionTimeout<H extends DurableHandler>(handler: H, timeoutMs: number, ledger: Ledger): H {
  return (async (event: never, context: Context) => {
    ledger.invocations++
    realignFakeClock()
    const timed = createLambdaContext({ timeoutMs, awsRequestId: context.awsRequestId, now: () => Date.now() + ledger.workedMs })
    return handler(event, { ...context, getRemainingTimeInMillis: timed.getRemainingTimeInMillis })
  }) as H
}

/** `ms` of work inside a step of the invocation whose context is `durable.lambdaContext`. */
export async function work(durable: DurableContext, name: string, ms: number, ledger: Ledger): Promise<string> {
  ledger.started[name] = (ledger.started[name] ?? 0) + 1
  const left = durable.lambdaContext.getRemainingTimeInMillis()
  ledger.starts.push({ name, leftMs: left })
  if (ms > left) {
    ledger.workedMs += Math.max(0, left)
    ledger.killed++
    throw new SimulatedTimeout(`Task timed out during ${name}`)
  }
  ledger.workedMs += ms
  ledger.finished[name] = (ledger.finished[name] ?? 0) + 1
  return `${name} done`
}

/** The durable service invoking again after a timeout, expressed as the step retry the SDK knows. */
export const reinvokedAfterTimeout = (error: Error, attempt: number): RetryDecision => ({
  shouldRetry: error.message.includes('Task timed out') && attempt < 5,
  delay: { seconds: 1 },
})
