/**
 * Process state, on purpose: a cold start is a property of the process (the first invocation
 * it serves), not of an invocation. With concurrent invocations in one process (Lambda Managed
 * Instances) exactly one of them takes the flag, because taking it is synchronous.
 */
let coldStartTaken = false

/** How Lambda initialised this execution environment, as the runtime tells it. */
export type InitType = 'on-demand' | 'provisioned-concurrency' | 'snap-start' | (string & {})

export interface ColdStart {
  coldStart: boolean
  initType: InitType | undefined
  /**
   * Milliseconds from the start of the process to the start of this, its first, invocation:
   * Node's own start-up, every module load and top-level `await`, and the runtime's hand-over.
   * Only on an on-demand cold start: with provisioned concurrency or SnapStart the environment
   * was initialised ahead of time, and the gap until the first invocation is idle time.
   */
  initDurationMs: number | undefined
}

/**
 * Called once per invocation, as it starts; `startedAtMs` is its start on `performance.now()`,
 * whose origin is the start of the process.
 */
export function takeColdStart(startedAtMs: number): ColdStart {
  const initType = process.env.AWS_LAMBDA_INITIALIZATION_TYPE || undefined
  if (coldStartTaken) return { coldStart: false, initType, initDurationMs: undefined }
  coldStartTaken = true
  const aheadOfTime = initType === 'provisioned-concurrency' || initType === 'snap-start'
  return { coldStart: true, initType, initDurationMs: aheadOfTime ? undefined : startedAtMs }
}
