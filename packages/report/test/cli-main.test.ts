import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { captureStderr, captureStdout } from '../../../test/support/output.js'
import { main } from '../src/cli.js'
import { type FakeCloudWatch, startCloudWatch } from './fixtures/cloudwatch-server.js'
import { endLine, invocationLines, reportLine, requestId, startLine } from './lines.js'

// The command's options, run in this process (cli.test.ts runs the built command as a user does):
// what it prints, where, and its exit code.

let out: string[]
let err: string[]
let dir: string
let server: FakeCloudWatch | undefined

beforeEach(() => {
  out = captureStdout().chunks
  err = captureStderr().chunks
  dir = mkdtempSync(join(tmpdir(), 'report-cli-'))
})
afterEach(async () => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
  rmSync(dir, { recursive: true, force: true })
  await server?.close()
  server = undefined
})

function logFile(lines: string[]): string {
  const file = join(dir, 'lambda.log')
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

/** Lambda's own lines only: nothing names the function. */
const lambdaOnly = [0, 1, 2].flatMap((n) => [
  startLine(requestId(n)),
  endLine(requestId(n)),
  reportLine(requestId(n), { durationMs: 2000 }),
])

describe('middy-deadline-report, run in-process', () => {
  it('prints its usage with --help (exit 0), and with an unknown option (exit 2)', async () => {
    expect(await main(['--help'])).toBe(0)
    expect(out.join('')).toMatch(/^Usage: middy-deadline-report \[options\] \[file \.\.\.\]/)
    expect(await main(['--bogus'])).toBe(2)
    expect(err.join('')).toContain("Unknown option '--bogus'")
    expect(err.join('')).toContain('Usage: middy-deadline-report')
  })

  it('refuses a bad format, a number that is not one, and a bad option value, with exit 2', async () => {
    const file = logFile(lambdaOnly)
    expect(await main(['--format', 'xml', file])).toBe(2)
    expect(await main(['--timeout-ms', 'soon', file])).toBe(2)
    expect(await main(['--near-miss', ' ', file])).toBe(2)
    expect(await main(['--max-open', '0', file])).toBe(2)
    expect(err.join('')).toContain('middy-deadline-report: --format must be text, json or html, got xml')
    expect(err.join('')).toContain('--timeout-ms must be a number, got "soon"')
    expect(err.join('')).toContain('--near-miss must be a number, got " "')
    expect(err.join('')).toContain('option maxOpenInvocations must be a positive integer, got 0')
    expect(out).toEqual([])
  })

  it('skips and counts a line longer than 1 MiB', async () => {
    expect(await main([logFile([...lambdaOnly, 'x'.repeat((1 << 20) + 1)])])).toBe(0)
    expect(out.join('')).toContain('skipped: 1 tooLong')
  })

  it('exits 1 with the reason when a file cannot be read', async () => {
    expect(await main([join(dir, 'missing.log')])).toBe(1)
    expect(err.join('')).toMatch(/^middy-deadline-report: ENOENT/)
  })

  it('prints the text report, naming the function with --function and taking the timeout and near-miss share given', async () => {
    expect(
      await main(['--function', 'orders', '--timeout-ms', '2500', '--near-miss', '0.5', '--max-open', '10', logFile(lambdaOnly)]),
    ).toBe(0)
    const text = out.join('')
    expect(text).toContain('== orders · version $LATEST')
    expect(text).toContain('timeout 2500 ms (from option); 3 invocations: 3 success')
    expect(text).toContain('3 near-misses')
  })

  it('writes JSON or HTML to a file with -o, and reads several files into one report', async () => {
    const first = logFile(lambdaOnly)
    const second = join(dir, 'more.log')
    writeFileSync(second, invocationLines(requestId(9), { durationMs: 100 }).join('\n'))
    const json = join(dir, 'report.json')
    expect(await main(['--format', 'json', '-o', json, first, second])).toBe(0)
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ schema: 'middy-deadline-report/1', input: { invocations: 4 } })
    const html = join(dir, 'report.html')
    expect(await main(['--format', 'html', '--output', html, first])).toBe(0)
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/)
    expect(out).toEqual([])
  })
})

describe('middy-deadline-report --log-group, run in-process', () => {
  const T0 = Date.parse('2026-11-30T10:00:00Z')
  const stored = () =>
    invocationLines(requestId(1), { durationMs: 100 }).map((message, k) => ({
      logStreamName: '2026/11/30/[$LATEST]aaaa',
      timestamp: T0 + k,
      message,
    }))

  it('reads the group in the window given, with the filter pattern, and names the function after the group', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret')
    server = await startCloudWatch(stored(), { pageSize: 10 })
    const args = ['--log-group', '/aws/lambda/orders', '--endpoint-url', server.endpoint, '--region', 'us-east-1', '--format', 'json']
    expect(
      await main([...args, '--since', '2026-11-30T09:00:00Z', '--until', '2026-11-30T11:00:00Z', '--filter-pattern', 'RequestId']),
    ).toBe(0)
    expect(JSON.parse(out.join('')).functions[0]).toMatchObject({ function: 'orders', invocations: 1 })
    expect(server.requests[0]?.body).toMatchObject({
      logGroupName: '/aws/lambda/orders',
      startTime: Date.parse('2026-11-30T09:00:00Z'),
      endTime: Date.parse('2026-11-30T11:00:00Z'),
      filterPattern: 'RequestId',
    })
  })

  it('reads --since as a span before now, and the last hour by default', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret')
    server = await startCloudWatch([], { pageSize: 10 })
    const args = ['--log-group', 'orders-logs', '--endpoint-url', server.endpoint, '--region', 'us-east-1']
    const before = Date.now()
    expect(await main([...args, '--since', '2d'])).toBe(0)
    expect(await main(args)).toBe(0)
    const [spanned, defaulted] = server.requests.map((request) => request.body as { startTime: number; endTime: number })
    expect(spanned?.endTime).toBeGreaterThanOrEqual(before)
    expect((spanned?.endTime ?? 0) - (spanned?.startTime ?? 0)).toBe(2 * 86_400_000)
    expect((defaulted?.endTime ?? 0) - (defaulted?.startTime ?? 0)).toBe(3_600_000)
  })

  it('refuses a time it cannot read, and files given with a log group, with exit 2', async () => {
    expect(await main(['--log-group', 'g', '--since', 'yesterday'])).toBe(2)
    expect(err.join('')).toContain('--since must be like 30m, 6h, 2d, 1w or an ISO date, got "yesterday"')
    expect(await main(['--log-group', 'g', logFile(lambdaOnly)])).toBe(2)
    expect(err.join('')).toContain('give either --log-group or files, not both')
  })
})

describe('middy-deadline-report, what only the built command was seen doing', () => {
  it('reads stdin when given no file, or "-" among files', async () => {
    const stdin = (lines: string[]) => vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from([`${lines.join('\n')}\n`]) as never)
    stdin(lambdaOnly)
    expect(await main(['--function', 'orders'])).toBe(0)
    expect(out.join('')).toContain('middy-deadline report: 3 invocations in 1 function(s), from 9 lines')
    out.length = 0
    stdin(invocationLines(requestId(9), { durationMs: 100 }))
    expect(await main(['--function', 'orders', logFile(lambdaOnly), '-'])).toBe(0)
    expect(out.join('')).toContain('middy-deadline report: 4 invocations in 1 function(s), from 13 lines')
  })

  it('prints text, not the page, by default: the report itself, first line first', async () => {
    expect(await main([logFile(lambdaOnly)])).toBe(0)
    expect(out.join('')).toMatch(/^middy-deadline report: 3 invocations in 1 function\(s\), from 9 lines\n/)
  })

  it('names the failing flag: --max-open and --until', async () => {
    expect(await main(['--max-open', 'many', logFile(lambdaOnly)])).toBe(2)
    expect(await main(['--log-group', 'g', '--until', 'later'])).toBe(2)
    expect(err.join('')).toContain('middy-deadline-report: --max-open must be a number, got "many"')
    expect(err.join('')).toContain('middy-deadline-report: --until must be like 30m, 6h, 2d, 1w or an ISO date, got "later"')
  })

  it('reads a span of several digits, and refuses one with anything before or after it', async () => {
    expect(await main(['--log-group', 'g', '--since', 'x2d'])).toBe(2)
    expect(await main(['--log-group', 'g', '--since', '2dx'])).toBe(2)
    expect(err.join('')).toContain('--since must be like 30m, 6h, 2d, 1w or an ISO date, got "x2d"')
    expect(err.join('')).toContain('--since must be like 30m, 6h, 2d, 1w or an ISO date, got "2dx"')
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret')
    server = await startCloudWatch([], { pageSize: 10 })
    expect(await main(['--log-group', 'g', '--endpoint-url', server.endpoint, '--region', 'us-east-1', '--since', '30m'])).toBe(0)
    const body = server.requests[0]?.body as { startTime: number; endTime: number } | undefined
    expect((body?.endTime ?? 0) - (body?.startTime ?? 0)).toBe(30 * 60_000)
  })

  it('names Lambda-only lines after the log group, less its /aws/lambda/ prefix, and says when a page token was rejected', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret')
    const T0 = Date.parse('2026-11-30T10:00:00Z')
    const events = lambdaOnly.map((message, k) => ({ logStreamName: '2026/11/30/[$LATEST]aaaa', timestamp: T0 + k, message }))
    server = await startCloudWatch(events, { pageSize: 4, expireTokenAt: 2 })
    const args = ['--endpoint-url', server.endpoint, '--region', 'us-east-1', '--since', '2026-11-30T09:00:00Z', '--format', 'json']
    expect(await main(['--log-group', '/aws/lambda/orders', ...args])).toBe(0)
    expect(JSON.parse(out.join('')).functions[0]).toMatchObject({ function: 'orders', invocations: 3 })
    expect(err.join('')).toMatch(/^middy-deadline-report: .*page token was rejected.*\n$/m)
    out.length = 0
    expect(await main(['--log-group', 'shared/aws/lambda/orders', ...args])).toBe(0)
    expect(JSON.parse(out.join('')).functions[0]).toMatchObject({ function: 'shared/aws/lambda/orders' })
  })
})
