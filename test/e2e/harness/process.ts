import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'

export interface ExitStatus {
  code: number | null
  signal: NodeJS.Signals | null
}

/**
 * One runtime process: `node aws-lambda-ric/index.mjs`, the way Lambda's Node runtime starts it.
 * It can be frozen and thawed (SIGSTOP/SIGCONT: between invocations Lambda freezes the whole
 * sandbox, timers included) and killed (SIGKILL: what Lambda does at the hard deadline).
 */
export class RuntimeProcess {
  readonly #child: ChildProcess
  /** Resolves once the process is gone and everything it wrote has been read. */
  readonly exited: Promise<ExitStatus>
  /** Invocations handed to this process so far: the first one is the cold start. */
  served = 0
  /** `performance.now()` when the process was spawned: Lambda's init phase starts there. */
  readonly spawnedAt = performance.now()
  /** The CloudWatch log stream this process's lines would go to (one per execution environment). */
  readonly logStream: string
  #frozen = false
  #alive = true

  constructor(command: string, args: string[], env: Record<string, string>, onLine: (line: string) => void) {
    this.logStream = env.AWS_LAMBDA_LOG_STREAM_NAME ?? ''
    this.#child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    if (this.#child.stdout) readLines(this.#child.stdout, onLine)
    if (this.#child.stderr) readLines(this.#child.stderr, onLine)
    // 'close', not 'exit': it comes after stdout and stderr have been read to the end.
    this.exited = new Promise((resolve) => {
      this.#child.on('close', (code, signal) => {
        this.#alive = false
        resolve({ code, signal })
      })
    })
  }

  get alive(): boolean {
    return this.#alive
  }

  /**
   * The process's peak resident memory in MB (VmHWM, what Lambda's REPORT calls Max Memory Used),
   * read from /proc while the process lives; undefined once it is gone or off Linux.
   */
  peakMemoryMB(): number | undefined {
    if (!this.#alive || this.#child.pid === undefined) return undefined
    try {
      const status = readFileSync(`/proc/${this.#child.pid}/status`, 'utf8')
      const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]
      return kb === undefined ? undefined : Math.ceil(Number(kb) / 1024)
    } catch {
      return undefined
    }
  }

  /**
   * CPU time so far, ms, from Linux's schedstat (nanoseconds per thread): how long the process's
   * threads have run (`runMs`; `mainRunMs` for the JavaScript thread alone) and how long they
   * waited for a CPU (`waitMs`, the machine's load). Undefined once the process is gone or off Linux.
   */
  cpuSoFar(): { runMs: number; mainRunMs: number; waitMs: number } | undefined {
    const pid = this.#child.pid
    if (!this.#alive || pid === undefined) return undefined
    try {
      const read = (tid: string) => readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number)
      let runNs = 0
      let waitNs = 0
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const [run = 0, wait = 0] = read(tid)
        runNs += run
        waitNs += wait
      }
      return { runMs: runNs / 1e6, mainRunMs: (read(String(pid))[0] ?? 0) / 1e6, waitMs: waitNs / 1e6 }
    } catch {
      return undefined
    }
  }

  freeze(): void {
    if (this.#alive && !this.#frozen) {
      this.#child.kill('SIGSTOP')
      this.#frozen = true
    }
  }

  thaw(): void {
    if (this.#alive && this.#frozen) {
      this.#child.kill('SIGCONT')
      this.#frozen = false
    }
  }

  async kill(): Promise<ExitStatus> {
    if (this.#alive) this.#child.kill('SIGKILL')
    return this.exited
  }
}

/**
 * Splits output on '\n' only: the runtime client turns newlines inside one log message into '\r',
 * so a multi-line message (a stack trace) stays one line, as in CloudWatch.
 */
function readLines(stream: Readable, onLine: (line: string) => void): void {
  let rest = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) if (line !== '') onLine(line)
  })
  stream.on('end', () => {
    if (rest !== '') onLine(rest)
  })
}
