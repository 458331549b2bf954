import { join } from 'node:path'
import { expect, it, onTestFinished } from 'vitest'
import { bundleFixture, fixtureFolder, spawnFixture } from './child.js'

/** Runs a fixture of test/fixtures, bundled, with its stdout a pipe; resolves with what it wrote. */
async function stdoutOf(fixture: string): Promise<string> {
  const folder = fixtureFolder('graceful-write-')
  onTestFinished(folder.remove)
  const bundle = await bundleFixture(new URL(`./fixtures/${fixture}.ts`, import.meta.url), join(folder.path, `${fixture}.mjs`))
  return new Promise<string>((resolve, reject) => {
    const child = spawnFixture([bundle], { stdio: ['ignore', 'pipe', 'inherit'] })
    const chunks: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.on('error', reject)
    child.on('close', () => resolve(Buffer.concat(chunks).toString()))
  })
}

it('the timeout line stays whole and in order when stdout is a pipe with output still queued', async () => {
  const output = await stdoutOf('queued-stdout')
  const lines = output.split('\n')
  const filler = 4 * 1024 * 1024
  expect(lines.map((line) => (line.startsWith('{') ? line : line.length))).toEqual([filler, '{"message":"the timeout line"}', filler, 0])
})

it('the timeout line arrives whole and in order when a logger writing to fd 1 itself has filled the pipe and the reader is slow', async () => {
  const folder = fixtureFolder('graceful-write-')
  onTestFinished(folder.remove)
  const bundle = await bundleFixture(new URL('./fixtures/full-pipe.ts', import.meta.url), join(folder.path, 'full-pipe.mjs'))
  const { output, filler } = await new Promise<{ output: string; filler: number }>((resolve, reject) => {
    const child = spawnFixture([bundle], { stdio: ['ignore', 'pipe', 'pipe'] })
    // The slow reader: takes nothing more until the child has written everything.
    child.stdout?.pause()
    const chunks: Buffer[] = []
    let filler = 0
    child.stderr?.once('data', (chunk: Buffer) => {
      filler = (JSON.parse(chunk.toString()) as { filler: number }).filler
      child.stdout?.on('data', (data: Buffer) => chunks.push(data)).resume()
    })
    child.on('error', reject)
    child.on('close', () => resolve({ output: Buffer.concat(chunks).toString(), filler }))
  })
  expect(filler).toBeGreaterThan(0)
  expect(output).toBe(`${`${'x'.repeat(1023)}\n`.repeat(filler)}{"message":"the timeout line"}\nafter\n`)
})

it('the timeout line arrives whole and in order on a pipe where Node has no process.getBuiltinModule (before 22.3)', async () => {
  expect(await stdoutOf('no-builtin-module')).toBe('before\n{"message":"the timeout line"}\nafter\n')
})
