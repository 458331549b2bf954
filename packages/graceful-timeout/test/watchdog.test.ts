import { closeSync, openSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleFixture, fixtureFolder, spawnFixture } from './child.js'

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))
let bundle: string
// The bundle and the stdout files of the runs.
const folder = fixtureFolder('graceful-watchdog-')
afterAll(folder.remove)

beforeAll(async () => {
  // The watchdog writes to fd 1 from its own thread: only a separate process shows that honestly.
  bundle = await bundleFixture(new URL('./fixtures/blocked-loop.ts', import.meta.url), join(folder.path, 'blocked-loop.mjs'))
})

interface Line extends Record<string, unknown> {
  /** When the parent read the line (epoch ms): the child's main thread may be blocked then. */
  seenAt: number
}

/** Runs the fixture with stdout to a file: Node writes it synchronously, through process.stdout. */
function runToFile(...scenarios: string[]): Promise<Record<string, unknown>[]> {
  const path = join(dirname(bundle), `stdout-${scenarios.join('-')}.log`)
  const fd = openSync(path, 'w')
  return new Promise((resolve, reject) => {
    const child = spawnFixture([bundle, ...scenarios], { stdio: ['ignore', fd, 'inherit'] })
    child.on('error', reject)
    child.on('close', () => {
      closeSync(fd)
      const text = readFileSync(path, 'utf8')
      resolve(
        text
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line)),
      )
    })
  })
}

function run(...scenarios: string[]): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = spawnFixture([bundle, ...scenarios], { stdio: ['ignore', 'pipe', 'inherit'] })
    const lines: Line[] = []
    let rest = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      const seenAt = Date.now()
      const parts = (rest + chunk.toString()).split('\n')
      rest = parts.pop() ?? ''
      for (const part of parts) if (part.startsWith('{')) lines.push({ ...JSON.parse(part), seenAt })
    })
    child.on('error', reject)
    child.on('close', () => resolve(lines))
  })
}

const records = (lines: Line[]) => lines.filter((line) => line.package === '@middy-deadline/graceful-timeout')

/**
 * The invocations whose cutoff the main thread reached with its loop free, as the fixture saw them
 * (how late it was done with the cutoff, on the deadline's clock), and what is wrong with their
 * records: each has exactly one, and the main thread wrote it where it was done well before the
 * watchdog's check (docs/graceful-timeout.md: 20 % of the reserve after the cutoff, at most 100 ms;
 * 10 ms less here). A main thread later than that finds the record written by the watchdog, and
 * leaves it: on a loaded machine its timers come that late (100 ms and more at load 13, when
 * `source: 'main'` failed one run in three).
 */
function cutoffsWithLoopFree(lines: Record<string, unknown>[], prefix: string): { count: number; problems: string[] } {
  const found = records(lines as Line[])
  const came = lines.filter((line) => String(line.cutoff).startsWith(prefix))
  const problems = came.flatMap((line) => {
    const sources = found.filter((record) => record.requestId === line.cutoff).map((record) => record.source)
    if (sources.length !== 1) return [`${line.cutoff}: ${sources.length} records`]
    const onTime = (line.lateMs as number) < Math.min(100, (line.reserveMs as number) * 0.2) - 10
    if (onTime && sources[0] !== 'main') return [`${line.cutoff}: by ${sources[0]}, ${line.lateMs} ms late`]
    return []
  })
  return { count: came.length, problems }
}

describe('the watchdog', () => {
  it('writes the timeout record before the hard deadline while a synchronous loop blocks the event loop', async () => {
    const lines = await run('blocked')
    const start = lines.find((line) => line.scenario === 'blocked' && 'hardDeadlineAt' in line)
    const end = lines.find((line) => line.scenario === 'blocked' && 'endedAt' in line)
    const found = records(lines)
    expect(found).toHaveLength(1)
    const [record] = found
    expect(record).toMatchObject({
      source: 'watchdog',
      requestId: 'req-blocked',
      reserveMs: 400,
      phase: 'handler',
      marks: [{ name: 'rendering PDF', atMs: expect.any(Number) }],
    })
    // The mark came after a 100 ms timer (early by 1 ms at most, and the thread rounds to the ms);
    // the budget is the function's 1 s, less however long the invocation took to start.
    expect((record?.marks as { atMs: number }[] | undefined)?.[0]?.atMs).toBeGreaterThanOrEqual(99)
    expect(record?.budgetMs).toBeGreaterThan(500)
    expect(record?.budgetMs).toBeLessThanOrEqual(1000)
    // Stamped like the main thread's record, when it was written.
    expect(Object.keys(record ?? {}).slice(0, 3)).toEqual(['timestamp', 'level', 'message'])
    expect(Date.parse(String(record?.timestamp))).toBeLessThanOrEqual(record?.seenAt as number)
    expect(Date.parse(String(record?.timestamp))).toBeGreaterThan((record?.seenAt as number) - 1000)
    // Out before the hard deadline, and while the main thread was still stuck in its loop: on the
    // child's own clock, when the watchdog wrote it (written at once: a synchronous write to fd 1).
    // When this process read it says how loaded this process was: at load 14 it read the line 11 ms
    // after the hard deadline.
    const writtenAt = Date.parse(String(record?.timestamp))
    expect(record?.remainingMs).toBeGreaterThan(0)
    expect(writtenAt).toBeLessThan(start?.hardDeadlineAt as number)
    expect(writtenAt).toBeLessThan(end?.endedAt as number)
    // ...and after the cutoff (400 ms before the hard deadline), not before it.
    expect(record?.remainingMs).toBeLessThan(400)
  })

  it('stays silent when the main thread handles the cutoff itself, and between invocations', async () => {
    const lines = await run('responsive', 'quick', 'quick')
    const found = records(lines)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ requestId: 'req-responsive' })
    expect(cutoffsWithLoopFree(lines, 'req-responsive')).toEqual({ count: 1, problems: [] })
    expect(lines.filter((line) => 'outcome' in line).map((line) => line.outcome)).toEqual(['TimeoutError', 'succeeded', 'succeeded'])
    expect(lines.at(-1)).toMatchObject({ done: true })
  })

  // 4 MiB through a pipe between two loaded processes: 9-20 s at load 10-16 (vitest's limit is 20 s
  // without coverage, and it was reached once).
  it('keeps its record on a line of its own when the blocked main thread left half a line in a full pipe', {
    timeout: 60_000,
  }, async () => {
    const lines = await run('half-line')
    // The half-written line is split (its tail comes once the loop ends); the record is whole.
    // No mark was made: the record lists none.
    expect(records(lines)).toEqual([
      expect.objectContaining({ source: 'watchdog', requestId: 'req-half-line', phase: 'handler', marks: [] }),
    ])
  })

  it('still watches a later invocation after more invocations than it has slots never ended (stuck in a before)', async () => {
    const lines = await run('stuck', 'blocked')
    expect(lines.find((line) => line.scenario === 'stuck')).toMatchObject({ stuck: 65 })
    // The stuck ones reached their cutoffs with the main thread free: it wrote their records itself.
    const stuck = records(lines).filter((line) => String(line.requestId).startsWith('req-stuck-'))
    expect(stuck).toHaveLength(65)
    expect(cutoffsWithLoopFree(lines, 'req-stuck-')).toEqual({ count: 65, problems: [] })
    expect(records(lines).filter((line) => line.requestId === 'req-blocked')).toEqual([
      expect.objectContaining({ source: 'watchdog', phase: 'handler' }),
    ])
  })

  it('keeps watching the invocation that took a slot over when the stuck invocation it took it from goes on and ends', async () => {
    const lines = await run('resumed')
    const start = lines.find((line) => line.scenario === 'resumed' && 'hardDeadlineAt' in line)
    // The stuck ones reached their cutoffs with the main thread free: it wrote their records.
    expect(records(lines).filter((line) => String(line.requestId).startsWith('req-resumed-'))).toHaveLength(64)
    expect(cutoffsWithLoopFree(lines, 'req-resumed-')).toEqual({ count: 64, problems: [] })
    // Their marks and their ends, after they resumed, left the slot and its names to the new owner.
    const tookOver = records(lines).filter((line) => line.requestId === 'req-took-over')
    expect(tookOver).toHaveLength(1)
    const [record] = tookOver
    expect(record).toMatchObject({
      source: 'watchdog',
      requestId: 'req-took-over',
      phase: 'handler',
      marks: [{ name: 'rendering PDF', atMs: expect.any(Number) }],
    })
    expect(Date.parse(String(record?.timestamp))).toBeLessThan(start?.hardDeadlineAt as number)
  })

  it('reports each of thirty invocations blocked at once from its own slot: its request id, its mark and when it was made, its budget', async () => {
    const lines = await run('many')
    expect(lines.find((line) => line.scenario === 'many')).toMatchObject({ count: 30 })
    const found = records(lines)
    // The watchdog wrote every record while the loop was blocked: the main thread, late, wrote none.
    expect(new Set(found.map((line) => line.source))).toEqual(new Set(['watchdog']))
    expect(found.map((line) => line.requestId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `req-many-${i}`).sort())
    for (const record of found) {
      expect(record, String(record.requestId)).toMatchObject({
        phase: 'handler',
        reserveMs: 400,
        marks: [{ name: `mark of ${record.requestId}` }],
      })
      // Each mark came after a 50 ms timer (early by 1 ms at most: 49 was seen, rounded); each
      // budget is the function's 1 s, less its start.
      expect((record.marks as { atMs: number }[])[0]?.atMs, String(record.requestId)).toBeGreaterThanOrEqual(49)
      expect(record.budgetMs, String(record.requestId)).toBeGreaterThan(500)
      expect(record.budgetMs, String(record.requestId)).toBeLessThanOrEqual(1000)
    }
  })

  it('names the phase where the loop blocked: a middleware without a name `anonymous`; `handler` without the plugin', async () => {
    const lines = await run('unnamed', 'no-plugin')
    expect(records(lines).map((line) => [line.requestId, line.source, line.phase])).toEqual([
      ['req-unnamed', 'watchdog', 'anonymous'],
      ['req-no-plugin', 'watchdog', 'handler'],
    ])
  })

  it('both threads reach stdout when it is a file as well as a pipe', async () => {
    const lines = await runToFile('responsive', 'blocked')
    expect(records(lines as Line[]).map((line) => line.requestId)).toEqual(['req-responsive', 'req-blocked'])
    expect(records(lines as Line[])[1]).toMatchObject({ source: 'watchdog' })
    expect(cutoffsWithLoopFree(lines, 'req-responsive')).toEqual({ count: 1, problems: [] })
  })
})

describe('the watchdog entry point', () => {
  it('costs a function without it nothing: the main entry bundles none of the watchdog, nor node:worker_threads', async () => {
    const bundled = async (entry: string) => {
      const result = await build({
        entryPoints: [source(entry)],
        bundle: true,
        write: false,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        logLevel: 'silent',
      })
      return result.outputFiles[0]?.text ?? ''
    }
    const main = await bundled('../src/index.ts')
    expect(main).toContain('gracefulTimeout')
    expect(main).not.toContain('worker_threads')
    expect(main).not.toContain('Atomics')
    expect(await bundled('../src/watchdog.ts')).toContain('node:worker_threads')
  })
})
