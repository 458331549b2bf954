// Runs a docs block in a test: the block named `<!-- run: name -->` in a Markdown file is written to
// test/docs/.run/ and imported as a module (through the test runner, so our packages resolve to
// their sources), with the prelude's stand-ins (or the test's own) installed as globals first. The
// test then calls what the block exports and asserts on it:
//
//   const { handler } = await runBlock('docs/recipes.md', 'http-504', { app: neverAnswers })
//
// Globals are process-wide: run the blocks of one test file one after another (the default).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { codeBlocks, root } from './blocks.ts'
import { type Placeholders, standIns } from './prelude.ts'

const out = join(root, 'test/docs/.run')
let loads = 0

export async function runBlock(file: string, name: string, placeholders: Partial<Placeholders> = {}): Promise<Record<string, unknown>> {
  const block = codeBlocks(file).find((candidate) => candidate.name === name)
  if (block === undefined) throw new Error(`${file} has no block marked <!-- run: ${name} -->`)
  Object.assign(globalThis, standIns, placeholders)
  mkdirSync(out, { recursive: true })
  // A fresh file per load: a module is evaluated once per URL, and each load may bring other stand-ins.
  const path = join(out, `${name}-${process.pid}-${++loads}.ts`)
  writeFileSync(path, `${block.code}\n`)
  try {
    return await import(pathToFileURL(path).href)
  } finally {
    rmSync(path, { force: true })
  }
}
