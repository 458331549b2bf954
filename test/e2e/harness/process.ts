import { type ChildProcess, spawn } from 'node:child_process'
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
  #frozen = false
  #alive = true

  constructor(command: string, args: string[], env: Record<string, string>, onLine: (line: string) => void) {
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
