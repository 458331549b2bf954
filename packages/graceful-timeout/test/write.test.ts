import { join } from 'node:path'
import { expect, it, onTestFinished } from 'vitest'
import { bundleFixture, fixtureFolder, spawnFixture } from './child.js'

it('the timeout line stays whole and in order when stdout is a pipe with output still queued', async () => {
  const folder = fixtureFolder('graceful-write-')
  onTestFinished(folder.remove)
  const bundle = await bundleFixture(new URL('./fixtures/queued-stdout.ts', import.meta.url), join(folder.path, 'queued-stdout.mjs'))
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawnFixture([bundle], { stdio: ['ignore', 'pipe', 'inherit'] })
    const chunks: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.on('error', reject)
    child.on('close', () => resolve(Buffer.concat(chunks).toString()))
  })
  const lines = output.split('\n')
  const filler = 4 * 1024 * 1024
  expect(lines.map((line) => (line.startsWith('{') ? line : line.length))).toEqual([filler, '{"message":"the timeout line"}', filler, 0])
})
