import type { Request } from '@middy/core'
import {
  clip,
  type Deadline,
  DeadlineTimeoutError,
  describeError,
  raceSignal,
  readSafely,
  scheduleAfter,
} from '@middy-deadline/deadline/internal'
import { writeWarning } from './log.js'
import type { TimeoutHook, TimeoutLogger } from './options.js'
import type { TimeoutRecord } from './record.js'

/**
 * Runs the `onTimeout` hooks one after another, in the order given. The time they may use ends
 * `marginMs` before the hard deadline (so the invocation can still answer), and each hook gets at
 * most an equal share of what is left for it and the hooks after it: a hook that hangs uses up its
 * share only, never the others'. A hook that throws or overruns is logged and passed over.
 * Never rejects.
 */
export async function runHooks<TEvent, TResult>(
  hooks: readonly TimeoutHook<TEvent, TResult>[],
  request: Request<TEvent, TResult>,
  deadline: Deadline,
  record: TimeoutRecord,
  marginMs: number,
  logger: TimeoutLogger | undefined,
): Promise<void> {
  for (let index = 0; index < hooks.length; index++) {
    const hook = hooks[index] as TimeoutHook<TEvent, TResult>
    const shareMs = (deadline.remainingToHardDeadline() - marginMs) / (hooks.length - index)
    const name = hookName(hook, index)
    if (!(shareMs > 0)) {
      writeWarning(logger, 'onTimeout hook skipped: no time left before the hard deadline', { hook: name, requestId: deadline.requestId })
      continue
    }
    // After the cutoff the deadline hands out no more time (its scopes abort at once): the hooks
    // live in the reserve, so each gets a timer of its own, cleared as soon as the hook settles.
    const controller = new AbortController()
    const cancelTimer = scheduleAfter(shareMs, () =>
      controller.abort(new DeadlineTimeoutError(`onTimeout hook ${name} ran out of time after ${Math.ceil(shareMs)} ms`, 'operation')),
    )
    try {
      await raceSignal(
        Promise.resolve().then(() => hook(request, { deadline, record, signal: controller.signal })),
        controller.signal,
      )
    } catch (error) {
      // Aborted means out of time: the race's listener was on the signal before the hook ran, so
      // at the abort it rejected with the signal's reason, whatever the hook did next; and a hook
      // that failed first reaches here before the timer can fire.
      if (controller.signal.aborted)
        writeWarning(logger, 'onTimeout hook did not finish in its share of the remaining time', {
          hook: name,
          shareMs: Math.ceil(shareMs),
          requestId: deadline.requestId,
        })
      else writeWarning(logger, 'onTimeout hook failed', { hook: name, error: describeError(error), requestId: deadline.requestId })
    } finally {
      cancelTimer()
    }
  }
}

/** The hook's own name for the warnings, read with care (a class's static `name` getter may throw). */
function hookName(hook: unknown, index: number): string {
  const name = readSafely(hook, 'name')
  return typeof name === 'string' && name !== '' ? clip(name, 100) : `onTimeout[${index}]`
}
