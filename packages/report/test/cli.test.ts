import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { invocationLines, requestId, startLine } from './lines.js'

// The command as users run it: the built bin (dist/cli.js), in a process of its own.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const traceSdk = fileURLToPath(new URL('./fixtures/trace-sdk.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'report-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const logFile = join(dir, 'function.log')
writeFileSync(
  logFile,
  [
    ...invocationLines(requestId(1), { durationMs: 120, coldStart: true, initDurationMs: 200 }),
    ...invocationLines(requestId(2), { durationMs: 80 }),
  ].join('\n'),
)

const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--import', traceSdk, cli, ...args], { input, encoding: 'utf8', timeout: 15_000 })

describe('middy-deadline-report', () => {
  it('prints the text report of a file, without loading the AWS SDK', () => {
    const result = run([logFile])
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('== orders · version $LATEST')
    expect(result.stdout).toContain('2 invocations: 2 success')
    expect(result.stderr).not.toContain('CloudWatch Logs SDK')
  })

  it('reads stdin when given no file (or "-"), and prints the JSON schema', () => {
    const input = invocationLines(requestId(3), { durationMs: 10, functionName: 'billing' }).join('\n')
    for (const args of [
      ['--format', 'json'],
      ['--format', 'json', '-'],
    ]) {
      const result = run(args, input)
      expect(result.status).toBe(0)
      const report = JSON.parse(result.stdout)
      expect(report).toMatchObject({ schema: 'middy-deadline-report/1', functions: [{ function: 'billing', invocations: 1 }] })
    }
  })

  it('names the function of Lambda-only lines with --function and takes the timeout from --timeout-ms', () => {
    const result = run(
      ['--format', 'json', '--function', 'legacy', '--timeout-ms', '6000'],
      `${startLine(requestId(9))}\nREPORT RequestId: ${requestId(9)}\tDuration: 10.00 ms\tBilled Duration: 10 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t`,
    )
    expect(JSON.parse(result.stdout).functions[0]).toMatchObject({ function: 'legacy', timeout: { ms: 6000, source: 'option' } })
  })

  it('writes the HTML report to a file with -o', () => {
    const out = join(dir, 'report.html')
    const result = run(['--format', 'html', '-o', out, logFile])
    expect(result.status).toBe(0)
    expect(result.stdout).toBe('')
  })

  it('exits 2 with the reason on a usage error, 1 on a file it cannot read, 0 with the usage on --help', () => {
    expect(run(['--format', 'xml', logFile])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('--format must be text, json or html'),
    })
    expect(run(['--colour'])).toMatchObject({ status: 2, stderr: expect.stringContaining("Unknown option '--colour'") })
    expect(run(['--near-miss', '3', logFile])).toMatchObject({ status: 2, stderr: expect.stringContaining('option nearMissThreshold') })
    expect(run([join(dir, 'missing.log')])).toMatchObject({ status: 1, stderr: expect.stringContaining('ENOENT') })
    expect(run(['--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: middy-deadline-report') })
  })
})
