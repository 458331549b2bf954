import type { Fact, LambdaReport, TimeoutFacts, TimingFacts } from './classify.js'
import { detached } from './fields.js'

/** Everything the logs said about one invocation, joined by its request id. */
export interface Invocation {
  requestId: string
  /** Epoch ms of its first line with a time, if any had one. */
  timestamp: number | undefined
  /** Order of first appearance: the x axis when no line had a time. */
  sequence: number
  stream: string | undefined
  started: boolean
  version: string | undefined
  functionArn: string | undefined
  report: LambdaReport | undefined
  /** `Task timed out after N seconds`: the timeout in ms as Lambda printed it. */
  killedAfterMs: number | undefined
  runtimeDoneStatus: string | undefined
  timing: TimingFacts | undefined
  timeouts: TimeoutFacts[]
}

/** How many more facts a reported invocation stays open for its trailing `Task timed out` line. */
const AFTER_REPORT = 256

type InvocationFact = Extract<Fact, { requestId: string }>

/**
 * Open invocations, joined as their lines arrive, closed a little after Lambda's REPORT for them
 * (the classic text format writes `Task timed out` right after the REPORT), or when too many are
 * open (the oldest first), or at the end of the input. Memory stays bounded by `maxOpen`; a request id seen again after its
 * invocation closed (a late line, a log read out of order) is recognised for a while and counted,
 * not made into a second invocation, unless it is a new START (Lambda retries keep the request id).
 */
export class InvocationJoiner {
  readonly #open = new Map<string, Invocation>()
  readonly #closed = new Set<string>()
  readonly #closedOrder: string[] = []
  #closedCursor = 0
  #sequence = 0
  /** Reported invocations waiting out {@link AFTER_REPORT} more facts before they close. */
  readonly #closing: { invocation: Invocation; at: number }[] = []
  #facts = 0
  readonly #maxOpen: number
  readonly #onClose: (invocation: Invocation) => void
  /** Lines about an invocation that had already been closed. */
  lateLines = 0
  /** Invocations closed because too many were open, before their REPORT came. */
  evicted = 0

  constructor(maxOpen: number, onClose: (invocation: Invocation) => void) {
    this.#maxOpen = maxOpen
    this.#onClose = onClose
  }

  add(fact: InvocationFact, timestamp: number | undefined, stream: string | undefined): void {
    this.#facts++
    while (this.#closing.length > 0 && (this.#closing[0] as { at: number }).at <= this.#facts) {
      const due = (this.#closing.shift() as { invocation: Invocation }).invocation
      if (this.#open.get(due.requestId) === due) this.#close(due)
    }
    const id = fact.requestId
    let invocation = this.#open.get(id)
    if (invocation === undefined) {
      if (this.#closed.has(id) && fact.kind !== 'start') {
        this.lateLines++
        return
      }
      invocation = this.#create(detached(id))
    } else if (fact.kind === 'start' && invocation.started && invocation.report !== undefined) {
      this.#close(invocation)
      invocation = this.#create(detached(id))
    }
    invocation.timestamp ??= timestamp
    invocation.stream ??= stream === undefined ? undefined : detached(stream)
    switch (fact.kind) {
      case 'start':
        invocation.started = true
        invocation.version ??= fact.version === undefined ? undefined : detached(fact.version)
        invocation.functionArn ??= fact.functionArn
        break
      case 'report':
        invocation.report = fact
        this.#closing.push({ invocation, at: this.#facts + AFTER_REPORT })
        break
      case 'killed':
        invocation.killedAfterMs = fact.timeoutMs
        break
      case 'runtime-done':
        invocation.runtimeDoneStatus = fact.status
        break
      case 'timing':
        invocation.timing = fact
        invocation.timestamp ??= fact.timestamp
        break
      case 'timeout':
        // The watchdog and the main thread each write one at most; both may appear.
        if (invocation.timeouts.length < 4) invocation.timeouts.push(fact)
        break
      default:
        break
    }
  }

  /** End of input: every open invocation is closed, oldest first. */
  end(): void {
    for (const invocation of [...this.#open.values()]) this.#close(invocation)
  }

  #create(requestId: string): Invocation {
    const invocation: Invocation = {
      requestId,
      timestamp: undefined,
      sequence: this.#sequence++,
      stream: undefined,
      started: false,
      version: undefined,
      functionArn: undefined,
      report: undefined,
      killedAfterMs: undefined,
      runtimeDoneStatus: undefined,
      timing: undefined,
      timeouts: [],
    }
    this.#open.set(requestId, invocation)
    if (this.#open.size > this.#maxOpen) {
      const oldest = this.#open.values().next().value as Invocation
      this.evicted++
      this.#close(oldest)
    }
    return invocation
  }

  #close(invocation: Invocation): void {
    this.#open.delete(invocation.requestId)
    this.#remember(invocation.requestId)
    this.#onClose(invocation)
  }

  /** A ring of the last `maxOpen` closed ids, so that memory stays bounded here too. */
  #remember(id: string): void {
    if (this.#closedOrder.length < this.#maxOpen) {
      this.#closedOrder.push(id)
    } else {
      this.#closed.delete(this.#closedOrder[this.#closedCursor] as string)
      this.#closedOrder[this.#closedCursor] = id
      this.#closedCursor = (this.#closedCursor + 1) % this.#maxOpen
    }
    this.#closed.add(id)
  }
}
