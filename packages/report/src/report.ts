import { Attribution, type FunctionKey } from './attribution.js'
import { classify, type RecordCut } from './classify.js'
import { type LogEvent, Unwrapper } from './envelope.js'
import { type Invocation, InvocationJoiner } from './invocations.js'
import { linesOf } from './lines.js'
import { type ReportOptions, validate } from './options.js'
import { type InputSummary, type Report, SCHEMA } from './schema.js'
import { FunctionStats } from './stats.js'
import { summarize } from './summary.js'
import { type Verdict, verdictOf } from './verdict.js'

/** Invocations whose function or version is still unknown, kept until the end to be named. */
const MAX_UNNAMED = 20_000
const MAX_WARNINGS = 200
export const UNKNOWN_FUNCTION = '(unknown function)'

/**
 * Reads log lines in one pass and builds the report. Feed it lines (`line`) or events that a
 * reader already took out of their wrapper (`event`), then call `finish()` once.
 */
export class ReportBuilder {
  readonly #config: ReportOptions
  readonly #unwrapper = new Unwrapper((event) => this.event(event))
  readonly #joiner: InvocationJoiner
  readonly #attribution: Attribution
  readonly #groups = new Map<string, { key: Required<FunctionKey>; stats: FunctionStats }>()
  readonly #unnamed: { invocation: Invocation; verdict: Verdict }[] = []
  readonly #warnings = new Map<string, { package: string; message: string; count: number }>()
  readonly #input: InputSummary = {
    lines: 0,
    events: 0,
    firstTimestamp: null,
    lastTimestamp: null,
    recognised: {
      timingRecords: 0,
      timeoutRecords: 0,
      watchdogRecords: 0,
      warnings: 0,
      emf: 0,
      start: 0,
      end: 0,
      report: 0,
      timedOutLines: 0,
      otherPlatform: 0,
      truncatedRecords: 0,
      partialRecords: 0,
    },
    otherLines: 0,
    skipped: { malformed: 0, foreignJson: 0, truncated: 0, truncatedRecords: 0, tooLong: 0, containerLines: 0, lateLines: 0 },
    invocations: 0,
    evictedInvocations: 0,
  }
  #first = Number.POSITIVE_INFINITY
  #last = Number.NEGATIVE_INFINITY

  constructor(options: Partial<ReportOptions> = {}) {
    this.#config = validate(options)
    this.#attribution = new Attribution(this.#config.functionName)
    this.#joiner = new InvocationJoiner(this.#config.maxOpenInvocations, (invocation) => this.#close(invocation))
  }

  /** One raw line, as a file or `aws logs tail` has it. */
  line(line: string): void {
    this.#input.lines++
    this.#unwrapper.push(line)
  }

  /** A line longer than the reader accepts; counted, never parsed. */
  tooLong(): void {
    this.#input.lines++
    this.#input.skipped.tooLong++
  }

  /** One log event (a CloudWatch event, or an unwrapped line). */
  event(event: LogEvent): void {
    this.#input.events++
    const { fact, timestamp } = classify(event)
    if (timestamp !== undefined) {
      if (timestamp < this.#first) this.#first = timestamp
      if (timestamp > this.#last) this.#last = timestamp
    }
    const { recognised, skipped } = this.#input
    switch (fact.kind) {
      case 'other':
        this.#input.otherLines++
        return
      case 'malformed':
        skipped.malformed++
        return
      case 'foreign-json':
        skipped.foreignJson++
        return
      case 'truncated-record':
        skipped.truncatedRecords++
        return
      case 'emf':
        recognised.emf++
        return
      case 'init':
        recognised.otherPlatform++
        return
      case 'warning':
        recognised.warnings++
        this.#warn(fact.package, fact.message)
        return
      case 'timing':
        recognised.timingRecords++
        this.#countCut(fact.cut)
        break
      case 'timeout':
        if (fact.source === 'watchdog') recognised.watchdogRecords++
        else recognised.timeoutRecords++
        this.#countCut(fact.cut)
        break
      case 'start':
      case 'end':
      case 'report':
        recognised[fact.kind]++
        break
      case 'killed':
        recognised.timedOutLines++
        break
      case 'runtime-done':
        recognised.otherPlatform++
        break
    }
    this.#joiner.add(fact, timestamp, event.stream)
  }

  finish(): Report {
    this.#unwrapper.end()
    this.#joiner.end()
    this.#nameTheUnnamed()
    const input = this.#input
    input.skipped.containerLines = this.#unwrapper.counts.containerLines
    input.skipped.truncated += this.#unwrapper.counts.truncated
    input.skipped.lateLines = this.#joiner.lateLines
    input.evictedInvocations = this.#joiner.evicted
    input.firstTimestamp = Number.isFinite(this.#first) ? new Date(this.#first).toISOString() : null
    input.lastTimestamp = Number.isFinite(this.#last) ? new Date(this.#last).toISOString() : null
    const settings = { nearMissThreshold: this.#config.nearMissThreshold, timeoutMs: this.#config.timeoutMs }
    const functions = [...this.#groups.values()]
      .map(({ key, stats }) =>
        summarize({ functionName: key.functionName as string, version: key.version ?? null, alias: key.alias ?? null }, stats, settings),
      )
      .sort((a, b) => a.function.localeCompare(b.function) || b.invocations - a.invocations)
    return {
      schema: SCHEMA,
      generatedAt: new Date().toISOString(),
      input,
      settings: {
        nearMissThreshold: settings.nearMissThreshold,
        timeoutMs: this.#config.timeoutMs ?? null,
        functionName: this.#config.functionName ?? null,
      },
      functions,
      warnings: [...this.#warnings.values()].sort((a, b) => b.count - a.count),
    }
  }

  #countCut(cut: RecordCut): void {
    const { recognised } = this.#input
    if (cut.truncated) recognised.truncatedRecords++
    if (cut.droppedPhases + cut.droppedMarks + cut.droppedPending > 0) recognised.partialRecords++
  }

  #close(invocation: Invocation): void {
    this.#input.invocations++
    const verdict = verdictOf(invocation)
    const key = this.#attribution.keyOf(invocation)
    if ((key.functionName === undefined || key.version === undefined) && this.#unnamed.length < MAX_UNNAMED) {
      this.#unnamed.push({ invocation, verdict })
      return
    }
    this.#group(key).add(invocation, verdict)
  }

  /**
   * At the end every stream has told what it could. What is still unnamed goes to the one
   * function (or version) the input holds, if it holds exactly one; otherwise it stays unknown.
   */
  #nameTheUnnamed(): void {
    const names = new Set([...this.#groups.values()].map((group) => group.key.functionName))
    for (const { invocation, verdict } of this.#unnamed.splice(0)) {
      const key = this.#attribution.keyOf(invocation)
      const onlyName = names.size === 1 ? ([...names][0] as string) : undefined
      const functionName = key.functionName ?? onlyName
      let version = key.version
      if (version === undefined) {
        const versions = new Set([...this.#groups.values()].filter((g) => g.key.functionName === functionName).map((g) => g.key.version))
        if (versions.size === 1) version = [...versions][0]
      }
      this.#group({ functionName, version, alias: key.alias }).add(invocation, verdict)
    }
  }

  #group(key: FunctionKey): FunctionStats {
    const name = key.functionName ?? UNKNOWN_FUNCTION
    const id = `${name}\u0000${key.version ?? ''}\u0000${key.alias ?? ''}`
    let group = this.#groups.get(id)
    if (group === undefined) {
      group = { key: { functionName: name, version: key.version, alias: key.alias } as Required<FunctionKey>, stats: new FunctionStats() }
      this.#groups.set(id, group)
    }
    return group.stats
  }

  #warn(packageName: string, message: string): void {
    const id = `${packageName}\u0000${message}`
    const entry = this.#warnings.get(id)
    if (entry !== undefined) entry.count++
    else if (this.#warnings.size < MAX_WARNINGS) this.#warnings.set(id, { package: packageName, message: message.slice(0, 500), count: 1 })
  }
}

/** The report of a stream of log text (files, stdin, any iterable of chunks or lines), read in one pass. */
export async function buildReport(
  input: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: Partial<ReportOptions> = {},
): Promise<Report> {
  const builder = new ReportBuilder(options)
  for await (const line of linesOf(input, () => builder.tooLong())) builder.line(line)
  return builder.finish()
}

/** The report of log events already taken out of CloudWatch (see `@middy-deadline/report/cloudwatch`). */
export async function reportFromEvents(
  events: AsyncIterable<LogEvent> | Iterable<LogEvent>,
  options: Partial<ReportOptions> = {},
): Promise<Report> {
  const builder = new ReportBuilder(options)
  for await (const event of events) builder.event(event)
  return builder.finish()
}
