import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { parseLogLine } from './logs.js'
import { type ExitStatus, RuntimeProcess } from './process.js'
import { type Invocation, type LambdaError, RuntimeApi } from './runtime-api.js'

export interface FunctionOptions {
  /** The directory holding the bundled function (LAMBDA_TASK_ROOT), e.g. from `bundleFunction()`. */
  bundle: string
  /** `module.export` inside `bundle`, as in the function's configuration. Default `index.handler`. */
  handler?: string
  /** The function's configured timeout. Default 3000 (Lambda's default). */
  timeoutMs?: number
  /** The Node binary that runs the runtime. Default: `$E2E_NODE`, else the Node running this code. */
  node?: string
  /** Extra Node flags for the runtime process, e.g. `['--enable-source-maps']`. */
  nodeArgs?: string[]
  /** The function's environment variables. */
  env?: Record<string, string>
  /**
   * Runs the Lambda Managed Instances mode (AWS_LAMBDA_MAX_CONCURRENCY): up to this many
   * invocations at once in one process, never frozen, and a timed-out invocation is reported but
   * not killed (Lambda does not stop the others). Unset: one invocation at a time, as on Lambda.
   */
  maxConcurrency?: number
  /** Runtime worker threads in multi-concurrency mode (AWS_LAMBDA_NODEJS_WORKER_COUNT). Default 1. */
  workers?: number
  functionName?: string
  memoryMb?: number
  /**
   * Emulates the lines Lambda's own log service writes around each invocation: START, END and
   * REPORT (Duration, Billed Duration, Memory Size, Max Memory Used from the process's peak RSS,
   * Init Duration on a cold start, `Status: timeout` on a kill), in the text or the JSON log format
   * (`platform.start` / `platform.report`). The Runtime API does not write these (the service does,
   * outside the sandbox), so without this option the stream holds only what the function wrote and
   * `Task timed out`. `json` also switches the runtime client to the JSON log format.
   */
  platformLines?: 'text' | 'json'
  /** Every line of the log stream as it arrives, with its time and its log stream's name. */
  onLog?: (entry: LogEntry) => void
}

/** One line of the log stream, as CloudWatch Logs would store it. */
export interface LogEntry {
  line: string
  /** Epoch ms when the line arrived. */
  at: number
  /** The execution environment's log stream (a new one after each kill, as on Lambda). */
  stream: string
}

export interface InvokeOptions {
  /** This invocation's timeout, instead of the function's. */
  timeoutMs?: number
}

export interface InvokeResult<TResponse = unknown> {
  requestId: string
  /** `ok`: a response; `error`: the function failed; `timeout`: still running at the hard deadline. */
  status: 'ok' | 'error' | 'timeout'
  response: TResponse | undefined
  /** The error as Lambda returns it (`Sandbox.Timedout` on a timeout, `Runtime.ExitError` on a crash). */
  error: LambdaError | undefined
  /** What the function wrote during this invocation, one entry per line. */
  logs: string[]
  /** From hand-out to the result (or the kill), ms. */
  durationMs: number
  /** Epoch ms of the hard deadline the runtime was given (`Lambda-Runtime-Deadline-Ms`). */
  deadlineAt: number
  /** Milliseconds between the result and the hard deadline; undefined on a timeout. */
  marginMs: number | undefined
  /** The first invocation of a fresh runtime process. */
  coldStart: boolean
  /**
   * On a cold start, the runtime process's CPU time when it asked for this invocation (its init),
   * ms: `RuntimeProcess.cpuSoFar()`. Init Duration is wall-clock time and grows with the machine's
   * load; the time the threads ran grows much less.
   */
  initCpu?: { runMs: number; mainRunMs: number; waitMs: number } | undefined
}

export interface LambdaFunction {
  invoke<TResponse = unknown>(event: unknown, options?: InvokeOptions): Promise<InvokeResult<TResponse>>
  /** Every line every runtime process of this function wrote, in order: the log stream. */
  readonly logs: readonly string[]
  /** How many runtime processes were started (1 + one per kill or crash that was followed by an invoke). */
  readonly processesStarted: number
  /**
   * Resolves once `count` requests for the next invocation wait on the Runtime API at once: in
   * multi-concurrency mode each runtime worker thread, once initialised and idle, has one.
   */
  whenPolling(count: number): Promise<void>
  stop(): Promise<void>
}

interface PlatformEnd {
  durationMs: number
  coldStart: boolean
  peakMemoryMB: number | undefined
  status: 'success' | 'error' | 'timeout'
  errorType?: string | undefined
}

const round2 = (value: number) => Math.round(value * 100) / 100

/** Lambda's init phase has its own limit (10 s); past it the invocation fails. */
const INIT_TIMEOUT_MS = 10_000
/**
 * After SIGSTOP the process writes nothing more, but lines it wrote just before may still be in
 * the pipe; this is how long we give our side to read them before closing the invocation's logs.
 */
const DRAIN_MS = 20

const ric = createRequire(import.meta.url).resolve('aws-lambda-ric')

/**
 * Starts a Lambda function under the real Node runtime client (`aws-lambda-ric`) talking to a
 * local Runtime API. The runtime process starts on the first `invoke()` (a cold start).
 */
export async function startFunction(options: FunctionOptions): Promise<LambdaFunction> {
  const fn = new EmulatedFunction(options)
  await fn.listen()
  return fn
}

class EmulatedFunction implements LambdaFunction {
  readonly logs: string[] = []
  processesStarted = 0
  readonly #options: Required<Omit<FunctionOptions, 'maxConcurrency' | 'platformLines' | 'onLog'>> &
    Pick<FunctionOptions, 'maxConcurrency' | 'platformLines' | 'onLog'>
  readonly #api: RuntimeApi
  #address = ''
  #process: RuntimeProcess | undefined
  #starting: Promise<RuntimeProcess> | undefined
  /** Single mode: invocations run one after the other, as in one Lambda execution environment. */
  #queue: Promise<unknown> = Promise.resolve()
  /** Single mode: lines written since the last invocation closed; they belong to the next one. */
  #pending: string[] = []
  /** Multi-concurrency mode: lines by request id (the runtime tags each line with it). */
  readonly #byRequest = new Map<string, string[]>()

  constructor(options: FunctionOptions) {
    this.#options = {
      handler: 'index.handler',
      timeoutMs: 3000,
      node: process.env.E2E_NODE ?? process.execPath,
      nodeArgs: [],
      env: {},
      workers: 1,
      functionName: 'e2e-function',
      memoryMb: 1024,
      ...options,
      maxConcurrency: options.maxConcurrency,
      platformLines: options.platformLines,
      onLog: options.onLog,
    }
    this.#api = new RuntimeApi({ functionName: this.#options.functionName, maxInFlight: options.maxConcurrency ?? 1 })
  }

  async listen(): Promise<void> {
    this.#address = await this.#api.listen()
  }

  invoke<TResponse>(event: unknown, options: InvokeOptions = {}): Promise<InvokeResult<TResponse>> {
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs
    if (this.#multi) return this.#run(event, timeoutMs) as Promise<InvokeResult<TResponse>>
    const run = this.#queue.then(() => this.#run(event, timeoutMs))
    this.#queue = run.catch(() => {})
    return run as Promise<InvokeResult<TResponse>>
  }

  whenPolling(count: number): Promise<void> {
    return this.#api.whenPolling(count)
  }

  async stop(): Promise<void> {
    await this.#process?.kill()
    await this.#api.close()
  }

  get #multi(): boolean {
    return this.#options.maxConcurrency !== undefined
  }

  async #run(event: unknown, timeoutMs: number): Promise<InvokeResult> {
    const proc = await this.#runtime()
    const coldStart = proc.served++ === 0
    // Lambda thaws the sandbox when the next invocation arrives: timers that came due while it was
    // frozen fire now, inside this invocation.
    proc.thaw()
    const invocation = this.#api.enqueue(event, timeoutMs)
    if (this.#multi) this.#byRequest.set(invocation.requestId, [])

    const init = await firstOf({
      handedOut: invocation.handedOut,
      result: invocation.result,
      exited: proc.exited,
      initTimeout: delay(INIT_TIMEOUT_MS),
    })
    if (init.key !== 'handedOut') return this.#initFailed(proc, invocation, init.key, coldStart)
    // Read at once: the runtime has only just been handed the event.
    const initCpu = coldStart ? proc.cpuSoFar() : undefined
    this.#platformStart(proc, invocation)

    const hardDeadline = invocation.handedOutAt + timeoutMs
    const outcome = await firstOf({
      result: invocation.result,
      deadline: delay(hardDeadline - performance.now()),
      exited: proc.exited,
    })
    // Our own timer may fire late on a busy machine: an answer that came after the hard deadline
    // is a timeout all the same, as on Lambda.
    const late = outcome.key === 'result' && outcome.value.at > hardDeadline
    const durationMs = (late ? hardDeadline : outcome.key === 'result' ? outcome.value.at : performance.now()) - invocation.handedOutAt
    const base = { requestId: invocation.requestId, deadlineAt: invocation.deadlineAt, durationMs, coldStart, initCpu }

    if (outcome.key === 'deadline' || late) {
      this.#api.abandon(invocation.requestId)
      const peakMemoryMB = proc.peakMemoryMB()
      // Managed Instances report the timeout and let the code run on; standard Lambda kills the sandbox.
      if (!this.#multi) await proc.kill()
      const message = `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`
      const logs = await this.#closeLogs(invocation)
      this.#platformEnd(proc, invocation, logs, { durationMs, coldStart, peakMemoryMB, status: 'timeout' })
      const timedOut = `${new Date().toISOString()} ${invocation.requestId} ${message}`
      logs.push(timedOut)
      this.#toStream(timedOut, proc.logStream)
      const error = { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${invocation.requestId} Error: ${message}` }
      return { ...base, status: 'timeout', response: undefined, error, logs, marginMs: undefined }
    }

    const peakMemoryMB = proc.peakMemoryMB()
    const result = outcome.key === 'exited' ? await this.#crashResult(proc, invocation) : outcome.value
    const marginMs = hardDeadline - result.at
    if (!this.#multi) await this.#freezeWhenIdle(proc, hardDeadline)
    const logs = await this.#closeLogs(invocation)
    const failed = result.kind === 'error' ? (result.body as LambdaError).errorType : undefined
    this.#platformEnd(proc, invocation, logs, {
      durationMs,
      coldStart,
      peakMemoryMB,
      status: failed === undefined ? 'success' : 'error',
      errorType: failed,
    })
    return result.kind === 'response'
      ? { ...base, status: 'ok', response: result.body, error: undefined, logs, marginMs }
      : { ...base, status: 'error', response: undefined, error: result.body, logs, marginMs }
  }

  /**
   * The runtime never took the invocation: its handler failed to load (`/init/error`), or the
   * process died or hung during init. Lambda fails the invocation and starts afresh next time.
   */
  async #initFailed(proc: RuntimeProcess, invocation: Invocation, why: string, coldStart: boolean): Promise<InvokeResult> {
    if (why === 'result') await proc.kill()
    else this.#api.fail(invocation.requestId, await this.#crash(proc, invocation.requestId))
    const error = ((await invocation.result) as { body: LambdaError }).body
    const logs = await this.#closeLogs(invocation)
    const base = { requestId: invocation.requestId, deadlineAt: Number.NaN, durationMs: 0, coldStart }
    return { ...base, status: 'error', response: undefined, error, logs, marginMs: undefined }
  }

  /** After its answer the runtime asks for the next invocation; Lambda freezes it right then. */
  async #freezeWhenIdle(proc: RuntimeProcess, hardDeadline: number): Promise<void> {
    const idle = await firstOf({
      waiting: this.#api.whenWaiting(),
      deadline: delay(Math.max(0, hardDeadline - performance.now())),
      exited: proc.exited,
    })
    if (idle.key === 'waiting') proc.freeze()
    else if (idle.key === 'deadline') await proc.kill()
  }

  async #closeLogs(invocation: Invocation): Promise<string[]> {
    if (this.#process?.alive) {
      await delay(DRAIN_MS)
      // A timer can fire before the poll phase that reads the pipes if our own event loop was
      // busy; setImmediate runs after the next poll phase, so whatever was in the pipe is read.
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (!this.#multi) return this.#pending.splice(0)
    const logs = this.#byRequest.get(invocation.requestId) ?? []
    this.#byRequest.delete(invocation.requestId)
    return logs
  }

  async #crashResult(proc: RuntimeProcess, invocation: Invocation) {
    this.#api.fail(invocation.requestId, await this.#crash(proc, invocation.requestId))
    return invocation.result
  }

  async #crash(proc: RuntimeProcess, requestId: string): Promise<LambdaError> {
    const status: ExitStatus = await proc.kill()
    const how = status.signal === null ? `exit status ${status.code}` : `signal: ${status.signal}`
    return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${how}` }
  }

  /** The live runtime process, or a fresh one (a cold start) if there is none. */
  #runtime(): Promise<RuntimeProcess> {
    if (this.#process?.alive) return Promise.resolve(this.#process)
    this.#starting ??= Promise.resolve().then(() => {
      this.#starting = undefined
      this.#api.dropWaiting()
      this.processesStarted++
      const env = this.#environment()
      const stream = env.AWS_LAMBDA_LOG_STREAM_NAME ?? ''
      this.#process = new RuntimeProcess(this.#options.node, [...this.#options.nodeArgs, ric], env, (line) => this.#onLine(line, stream))
      return this.#process
    })
    return this.#starting
  }

  #onLine(line: string, stream: string): void {
    this.#options.onLog?.({ line, at: Date.now(), stream })
    this.logs.push(line)
    if (!this.#multi) {
      this.#pending.push(line)
      return
    }
    const requestId = parseLogLine(line).requestId
    if (requestId !== undefined) this.#byRequest.get(requestId)?.push(line)
  }

  // ---- Lambda's own lines, emulated (platformLines) -----------------------------------------

  #platformStart(proc: RuntimeProcess, invocation: Invocation): void {
    if (this.#options.platformLines === undefined) return
    const line =
      this.#options.platformLines === 'json'
        ? JSON.stringify({
            time: new Date().toISOString(),
            type: 'platform.start',
            record: { requestId: invocation.requestId, version: '$LATEST' },
          })
        : `START RequestId: ${invocation.requestId} Version: $LATEST`
    this.#toStream(line, proc.logStream)
    if (this.#multi) this.#byRequest.get(invocation.requestId)?.push(line)
    else this.#pending.push(line)
  }

  /** END and REPORT, after the invocation's own lines: into its logs and the stream. */
  #platformEnd(proc: RuntimeProcess, invocation: Invocation, logs: string[], end: PlatformEnd): void {
    const format = this.#options.platformLines
    if (format === undefined) return
    const memory = this.#options.memoryMb
    // Lambda reports Init Duration on a cold start's REPORT: from the sandbox's start to the runtime's first /next.
    const initMs = end.coldStart ? invocation.handedOutAt - proc.spawnedAt : undefined
    const used = end.peakMemoryMB ?? 0
    const lines =
      format === 'json'
        ? [
            JSON.stringify({
              time: new Date().toISOString(),
              type: 'platform.report',
              record: {
                requestId: invocation.requestId,
                metrics: {
                  durationMs: round2(end.durationMs),
                  billedDurationMs: Math.ceil(end.durationMs),
                  memorySizeMB: memory,
                  maxMemoryUsedMB: used,
                  ...(initMs === undefined ? {} : { initDurationMs: round2(initMs) }),
                },
                status: end.status,
                ...(end.errorType === undefined ? {} : { errorType: end.errorType }),
              },
            }),
          ]
        : [
            `END RequestId: ${invocation.requestId}`,
            [
              `REPORT RequestId: ${invocation.requestId}`,
              `Duration: ${end.durationMs.toFixed(2)} ms`,
              `Billed Duration: ${Math.ceil(end.durationMs)} ms`,
              `Memory Size: ${memory} MB`,
              `Max Memory Used: ${used} MB`,
              ...(initMs === undefined ? [] : [`Init Duration: ${initMs.toFixed(2)} ms`]),
              ...(end.status === 'timeout' ? ['Status: timeout'] : []),
              ...(end.errorType === 'Runtime.ExitError' ? ['Status: error', `Error Type: ${end.errorType}`] : []),
            ].join('\t'),
          ]
    for (const line of lines) {
      logs.push(line)
      this.#toStream(line, proc.logStream)
    }
  }

  /** A line Lambda writes (not the function): onto the stream, in no invocation's pending lines. */
  #toStream(line: string, stream: string): void {
    this.#options.onLog?.({ line, at: Date.now(), stream })
    this.logs.push(line)
  }

  #environment(): Record<string, string> {
    const o = this.#options
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: o.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(o.memoryMb),
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${o.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`,
      AWS_LAMBDA_RUNTIME_API: this.#address,
      LAMBDA_TASK_ROOT: o.bundle,
      _HANDLER: o.handler,
      ...(o.platformLines === 'json' ? { AWS_LAMBDA_LOG_FORMAT: 'JSON' } : {}),
      ...(o.maxConcurrency === undefined
        ? {}
        : { AWS_LAMBDA_MAX_CONCURRENCY: String(o.maxConcurrency), AWS_LAMBDA_NODEJS_WORKER_COUNT: String(o.workers) }),
      ...o.env,
    }
  }
}

/** Waits for the first of several promises and says which one it was. */
async function firstOf<T extends Record<string, Promise<unknown>>>(
  promises: T,
): Promise<{ [K in keyof T]: { key: K; value: Awaited<T[K]> } }[keyof T]> {
  const entries = Object.entries(promises).map(([key, promise]) => promise.then((value) => ({ key, value })))
  try {
    return (await Promise.race(entries)) as never
  } finally {
    for (const promise of Object.values(promises)) (promise as Partial<Cancelable>).cancel?.()
  }
}

interface Cancelable {
  cancel(): void
}

/** A promise that resolves after `ms`; `firstOf` cancels it when something else came first. */
function delay(ms: number): Promise<void> & Cancelable {
  let timer: NodeJS.Timeout | undefined
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  }) as Promise<void> & Cancelable
  promise.cancel = () => clearTimeout(timer)
  return promise
}
