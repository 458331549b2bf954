/**
 * Process state, on purpose: a cold start is a property of the process (the first invocation
 * it serves), not of an invocation. With concurrent invocations in one process (Lambda Managed
 * Instances) exactly one of them takes the flag, because taking it is synchronous. There the
 * runtime runs the handler in worker threads, each loading the function itself: each thread has
 * its own flag and its own cold start, as it has its own init.
 */
let warm: ColdStart | undefined

/** How Lambda initialised this execution environment, as the runtime tells it. */
export type InitType = 'on-demand' | 'provisioned-concurrency' | 'snap-start' | (string & {})

export interface ColdStart {
  coldStart: boolean
  initType: InitType | undefined
  /**
   * Milliseconds from the start of the process to the start of this, its first, invocation (of
   * this runtime worker thread, in multi-concurrency mode):
   * Node's own start-up, every module load and top-level `await`, and the runtime's hand-over.
   * Only on an on-demand cold start: with provisioned concurrency or SnapStart the environment
   * was initialised ahead of time, and the gap until the first invocation is idle time.
   */
  initDurationMs: number | undefined
}

/**
 * Called once per invocation, as it starts, `agoMs` after its start. Lambda sets the init type
 * before the process starts, so it is read once.
 */
export function takeColdStart(agoMs: number): ColdStart {
  if (warm !== undefined) return warm
  const initType = process.env.AWS_LAMBDA_INITIALIZATION_TYPE || undefined
  warm = { coldStart: false, initType, initDurationMs: undefined }
  const aheadOfTime = initType === 'provisioned-concurrency' || initType === 'snap-start'
  return {
    coldStart: true,
    initType,
    // performance.now() counts from the start of the process, in a worker thread too.
    initDurationMs: aheadOfTime ? undefined : performance.now() - agoMs,
  }
}
