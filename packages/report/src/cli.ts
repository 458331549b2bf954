#!/usr/bin/env node
import { createReadStream, realpathSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { LogEvent } from './envelope.js'
import { linesOf } from './lines.js'
import { ReportOptionError } from './options.js'
import { renderHtml } from './render-html.js'
import { renderText } from './render-text.js'
import { ReportBuilder } from './report.js'
import type { Report } from './schema.js'

const USAGE = `Usage: middy-deadline-report [options] [file ...]

Reads Lambda logs (files, or stdin when no file or "-" is given) and reports, per function: outcomes,
near-misses, durations against the timeout, cold starts, memory, where the time went, and what to change.

Input: raw log lines (text or JSON log format), aws logs tail output (any --format),
aws logs filter-log-events output (--output json or text), or --log-group to read CloudWatch Logs.

Options:
  --format text|json|html   output format (default text)
  -o, --output FILE         write to FILE instead of stdout
  --function NAME           function name for lines that do not say (default: from --log-group)
  --timeout-ms MS           the configured timeout, when the logs do not show it
  --near-miss RATIO         share of the timeout that counts as a near-miss (default 0.8)
  --max-open N              invocations held open at once while joining lines (default 100000)
  --log-group NAME          read CloudWatch Logs with FilterLogEvents (needs @aws-sdk/client-cloudwatch-logs)
  --since TIME              with --log-group: 30m, 6h, 2d, 1w or an ISO date (default 1h)
  --until TIME              with --log-group: same forms (default now)
  --filter-pattern TEXT     with --log-group: CloudWatch filter pattern
  --region REGION           with --log-group
  --endpoint-url URL        with --log-group: another endpoint (a VPC endpoint, a local test server)
  -h, --help                this text
`

const OPTIONS = {
  format: { type: 'string', default: 'text' },
  output: { type: 'string', short: 'o' },
  function: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'near-miss': { type: 'string' },
  'max-open': { type: 'string' },
  'log-group': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'filter-pattern': { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  try {
    const format = values.format
    if (format !== 'text' && format !== 'json' && format !== 'html')
      throw new UsageError(`--format must be text, json or html, got ${format}`)
    const logGroup = values['log-group']
    const builder = new ReportBuilder({
      functionName: values.function ?? (logGroup === undefined ? undefined : logGroup.replace(/^\/aws\/lambda\//, '')),
      timeoutMs: numberOption('--timeout-ms', values['timeout-ms']),
      nearMissThreshold: numberOption('--near-miss', values['near-miss']),
      maxOpenInvocations: numberOption('--max-open', values['max-open']),
    })
    if (logGroup !== undefined) {
      if (positionals.length > 0) throw new UsageError('give either --log-group or files, not both')
      for await (const event of await readLogGroup(logGroup, values)) builder.event(event)
    } else {
      const sources = positionals.length === 0 ? ['-'] : positionals
      for (const source of sources) {
        const stream = source === '-' ? process.stdin : createReadStream(source)
        for await (const line of linesOf(stream, () => builder.tooLong())) builder.line(line)
      }
    }
    const report = builder.finish()
    write(render(report, format), values.output)
    return 0
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof ReportOptionError
    process.stderr.write(`middy-deadline-report: ${(error as Error).message}\n`)
    return usage ? 2 : 1
  }
}

function render(report: Report, format: 'text' | 'json' | 'html'): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`
  if (format === 'html') return renderHtml(report)
  return renderText(report)
}

function write(text: string, output: string | undefined): void {
  if (output === undefined) process.stdout.write(text)
  else writeFileSync(output, text)
}

async function readLogGroup(logGroupName: string, values: Record<string, string | boolean | undefined>): Promise<AsyncIterable<LogEvent>> {
  // Only here: a report of files never loads the AWS SDK.
  const { logGroupEvents } = await import('./cloudwatch.js')
  const now = Date.now()
  const clientConfig: Record<string, unknown> = {}
  if (typeof values.region === 'string') clientConfig.region = values.region
  if (typeof values['endpoint-url'] === 'string') clientConfig.endpoint = values['endpoint-url']
  return logGroupEvents({
    logGroupName,
    startTime: timeOption('--since', values.since, now) ?? now - 3_600_000,
    endTime: timeOption('--until', values.until, now) ?? now,
    filterPattern: typeof values['filter-pattern'] === 'string' ? values['filter-pattern'] : undefined,
    clientConfig,
    onNotice: (notice) => process.stderr.write(`middy-deadline-report: ${notice}\n`),
  })
}

function numberOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number)) throw new UsageError(`${flag} must be a number, got ${JSON.stringify(value)}`)
  return number
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/** `30m`, `6h`… before now (as `aws logs tail --since` reads them), or an ISO 8601 date. */
function timeOption(flag: string, value: unknown, now: number): number | undefined {
  if (typeof value !== 'string') return undefined
  const relative = /^(\d+)([smhdw])$/.exec(value)
  if (relative !== null) return now - Number(relative[1]) * (UNITS[relative[2] as string] as number)
  const parsed = Date.parse(value)
  if (Number.isFinite(parsed)) return parsed
  throw new UsageError(`${flag} must be like 30m, 6h, 2d, 1w or an ISO date, got ${JSON.stringify(value)}`)
}

// Run when executed (the bin, through any symlink), not when imported by a test.
if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (error) => {
      process.stderr.write(`middy-deadline-report: ${String(error)}\n`)
      process.exitCode = 1
    },
  )
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}
