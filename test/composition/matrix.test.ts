// biome-ignore assist/source/organizeImports: the environment Powertools reads as it loads must be set before it is imported.
import { POWERTOOLS_ENV } from './matrix/env.js'
import { createSocket, type Socket } from 'node:dgram'
import { writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allCells, type Cell, cellName, type MiddyMajor, sampleCells } from './matrix/cells.js'
import { ASYNC_BEFORE, chainNames, neighboursByName, TIMEOUT_MS, useXrayDaemon } from './matrix/chain.js'
import { exceptionsFor, readExceptions } from './matrix/exceptions.js'
import { expectedOf, featuresOf } from './matrix/expect.js'
import { violations } from './matrix/invariants.js'
import { lagSampler, watch } from './matrix/observe.js'
import { installStreamingRuntime, type Observation, runCell } from './matrix/run.js'

/**
 * The composition matrix (docs/composition.md): our middlewares in every order, with and without
 * `deadline()` first and the plugin, beside Middy's and Powertools' middlewares, on every path an
 * invocation can take; each cell held to the invariants of matrix/invariants.ts, or to the
 * documented exception of a "Composing with …" table.
 *
 * CI runs a sample fixed by a seed (every path × neighbours × placement × plugin, each with an
 * order drawn by the seed); `npm run test:composition:full` runs the full product.
 * MATRIX_SEED picks another sample; MATRIX_CELL='<name>' runs the cells whose name contains it.
 * The run's Middy is the test run's (MIDDY_MAJOR=6: the core rows, with Middy's own 6.x middlewares).
 */

const middy: MiddyMajor = process.env.MIDDY_MAJOR === '6' ? 6 : 7
const full = process.env.MATRIX === 'full'
const seed = Number(process.env.MATRIX_SEED ?? 20261201)
const only = process.env.MATRIX_CELL
// Cells in flight at once: most of a cell is waiting for its cutoff, and 600 ms each one by one
// would take minutes.
const CONCURRENCY = Number(process.env.MATRIX_CONCURRENCY ?? 16)

function chosenCells(): Cell[] {
  const cells = full ? [...allCells(middy)] : sampleCells(middy, seed, 1)
  return only === undefined ? cells : [...allCells(middy)].filter((cell) => cellName(cell).includes(only))
}

let daemon: Socket
let segments = 0

const rows = readExceptions()
const problemsOf = (observation: Observation) => {
  const features = featuresOf(observation.names)
  return violations(observation, expectedOf(observation.cell, features), exceptionsFor(rows, observation.cell, features))
}

const observations: Observation[] = []
/** Cells that broke an invariant among the others and were run again alone. */
const rerun: string[] = []
let stopWatching: () => void = () => {}
let removeStreaming: () => void = () => {}

// A cell whose checks failed while its event loop ran late (on a loaded machine every timer comes
// late, and the reserve's margin is 20 ms) is run again alone, once, and its second run decides. A
// cell that failed on an event loop on time is not: its failure stands, whatever caused it (a bug
// that shows only with concurrent invocations must not be washed away by a quiet rerun).
const LATE_LOOP_MS = 10
const MAX_RERUNS = 150
// Long enough for anything a cell armed to have fired, had it been left armed.
const QUIET_MS = TIMEOUT_MS + 200

beforeAll(async () => {
  daemon = createSocket('udp4')
  daemon.on('message', () => segments++)
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve))
  useXrayDaemon(`127.0.0.1:${(daemon.address() as AddressInfo).port}`)
  removeStreaming = installStreamingRuntime()
  stopWatching = watch()

  const cells = chosenCells()
  const lag = monitorEventLoopDelay({ resolution: 5 })
  lag.enable()
  const sampler = lagSampler()
  const startedAt = performance.now()
  let next = 0
  const worker = async () => {
    while (next < cells.length) {
      const cell = cells[next++] as Cell
      observations.push(await runCell(cell))
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, cells.length) }, worker))
  lag.disable()
  await delay(QUIET_MS)
  sampler.stop()
  const failing = observations.filter(
    (observation) =>
      problemsOf(observation).length > 0 && sampler.maxLagMs(observation.window.fromMs, observation.window.toMs) > LATE_LOOP_MS,
  )
  if (failing.length <= MAX_RERUNS) {
    for (const first of failing) {
      const again = await runCell(first.cell)
      await delay(QUIET_MS)
      observations[observations.indexOf(first)] = again
      first.dispose()
      rerun.push(cellName(first.cell))
    }
  }
  // For the docs' figures and for reading a failure: a loaded machine makes every timer late.
  console.log(
    `matrix: ${cells.length} cells in ${Math.round(performance.now() - startedAt)} ms, ${CONCURRENCY} at once, ${rerun.length} run again alone (their loop ran late); event-loop delay p50 ${(lag.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms`,
  )
}, 1_800_000)

afterAll(() => {
  stopWatching()
  removeStreaming()
  for (const observation of observations) observation.dispose()
  daemon?.close()
  for (const key of Object.keys(POWERTOOLS_ENV)) delete process.env[key]
})

describe(`composition matrix, Middy ${middy}, ${full ? 'full product' : `sample (seed ${seed})`}`, () => {
  it('ran every chosen cell', () => {
    expect(observations.length).toBe(chosenCells().length)
    expect(observations.length).toBeGreaterThan(0)
  })

  it('holds every cell to the invariants, or to the documented exception', () => {
    const problems: string[] = []
    for (const observation of observations) {
      const found = problemsOf(observation)
      if (found.length > 0) problems.push(`${cellName(observation.cell)} [${observation.names.join(' > ')}]\n    ${found.join('\n    ')}`)
    }
    // MATRIX_REPORT=<file> writes every problem there (the assertion shows the first 40).
    if (process.env.MATRIX_REPORT !== undefined) writeFileSync(process.env.MATRIX_REPORT, problems.join('\n'))
    expect(problems.slice(0, 40).join('\n'), `${problems.length} of ${observations.length} cells`).toBe('')
  })

  it('sent Powertools Tracer segments to the local daemon (the tracer really ran)', () => {
    if (!observations.some((o) => o.names.includes('captureLambdaHandler'))) return
    expect(segments).toBeGreaterThan(0)
  })
})

describe('the documented exceptions', () => {
  it("the neighbours whose before is async are the ones the conditions assume (for this run's Middy)", () => {
    const asyncBefore = (['middy-http', 'powertools-http', 'middy-sqs', 'powertools-sqs', 'ours-sqs'] as const).flatMap((set) =>
      [...neighboursByName(set)].filter(([, middleware]) => middleware.before?.constructor.name === 'AsyncFunction').map(([name]) => name),
    )
    expect([...new Set(asyncBefore)].sort()).toEqual([...ASYNC_BEFORE[middy]].sort())
  })

  it('every row applies to some cell of the full product (a row that applies to none is stale)', () => {
    const cells = [...allCells(6), ...allCells(7)]
    const stale = rows.filter((row) => !cells.some((cell) => exceptionsFor([row], cell, featuresOf(chainNames(cell))).length > 0))
    expect(stale.map((row) => row.source)).toEqual([])
  })
})
