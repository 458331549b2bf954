import { enterDeadline } from './current.js'
import { Deadline } from './deadline.js'

/**
 * How every middleware of ours reaches the one deadline of an invocation. The first to touch the
 * request creates it; everyone after gets the same object. Kept on the request under a
 * Symbol.for key (shared by duplicate copies of this package) and shown to the handler as
 * `context.deadline`.
 */
const DEADLINE = Symbol.for('@middy-deadline/deadline')
const OWNER = Symbol.for('@middy-deadline/deadline.owner')

export interface RequestLike {
  context: object
  error?: unknown
  [DEADLINE]?: Deadline
  [OWNER]?: unknown
}

/** The request's deadline, created (and made current) on first touch. */
export function deadlineOf(request: object, owner?: unknown): Deadline {
  const holder = request as RequestLike
  const deadline = holder[DEADLINE] ?? create(holder)
  // The plugin creates the deadline without an owner; the first of our middlewares still claims
  // it, so the deadline ends in that middleware's `after`/`onError` even where Middy 6 skips
  // `requestEnd` (it does on the error path).
  if (owner !== undefined && holder[OWNER] === undefined) holder[OWNER] = owner
  return deadline
}

/** The request's deadline if one was created, without creating it. */
export function existingDeadlineOf(request: object): Deadline | undefined {
  return (request as RequestLike)[DEADLINE]
}

/**
 * Ends the request's deadline if `owner` created it. The creator is the outermost of our
 * middlewares (Middy runs `before` in order and `after`/`onError` in reverse), so its `after` or
 * `onError` is the last of ours to run: ending there keeps the signal alive for the others.
 */
export function releaseDeadline(request: object, owner: unknown): void {
  const holder = request as RequestLike
  if (holder[OWNER] === owner) holder[DEADLINE]?.end()
}

/** Ends the request's deadline whoever created it (the plugin's `requestEnd`). */
export function endDeadline(request: object): void {
  ;(request as RequestLike)[DEADLINE]?.end()
}

function create(holder: RequestLike): Deadline {
  // Middy sets `earlyResponse` when a middleware answers early, and then skips every `after`:
  // the deadline asks the request before acting on a timer that might outlive it.
  const deadline = new Deadline({ context: holder.context, request: holder })
  holder[DEADLINE] = deadline
  exposeOnContext(holder.context, deadline)
  enterDeadline(deadline)
  return deadline
}

function exposeOnContext(context: object | undefined, deadline: Deadline): void {
  if (context === null || typeof context !== 'object') return
  // Not enumerable: a user logging or serialising the context must not dump our internals.
  // Reflect's define answers false instead of throwing on a frozen context, or one whose own
  // `deadline` cannot be redefined: the handler then goes without `context.deadline`.
  Reflect.defineProperty(context, 'deadline', { value: deadline, configurable: true, enumerable: false, writable: false })
}
