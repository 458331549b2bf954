// CI's check that the docs compile: every `ts` block of README.md, docs/*.md and packages/*/README.md
// becomes one module in test/docs/.blocks/, compiled by tsc with `strict` and NodeNext resolution
// against the BUILT packages (dist, through their exports maps, as a user's project sees them).
// The placeholders the examples use (`app`, `db`, …) are declared once, in test/docs/prelude.ts.
// Errors are reported at their line in the Markdown file. Run: node test/docs/check.ts
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { allCodeBlocks, blockFileName, type CodeBlock, importedPackages, installedPackages, root } from './blocks.ts'

const out = join(root, 'test/docs/.blocks')
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const problems: string[] = []
const byFile = new Map<string, CodeBlock>()
for (const block of allCodeBlocks()) {
  // A package's README is read on its own (on the npm site): it installs whatever its example imports.
  if (block.file.startsWith('packages/')) {
    const installed = installedPackages(block.file)
    for (const name of importedPackages(block)) {
      if (!installed.has(name)) problems.push(`${block.file}:${block.line}: the example imports ${name}, which the README does not install`)
    }
  }
  const name = blockFileName(block)
  if (byFile.has(name)) throw new Error(`${block.file}:${block.line}: a second block named ${block.name}`)
  byFile.set(name, block)
  // A block without import or export would be a script sharing one scope with every other block.
  const isModule = /^\s*(import|export)\s/m.test(block.code)
  writeFileSync(join(out, name), isModule ? `${block.code}\n` : `${block.code}\nexport {}\n`)
}

// docs/testing.md's tests of the real runtime import the e2e harness, which it tells users to copy
// beside their tests, and this repository's own helper around it: they sit beside the blocks here.
symlinkSync(join(root, 'test/e2e/harness'), join(out, 'harness'))
symlinkSync(join(root, 'test/e2e/lifecycle.ts'), join(out, 'lifecycle.ts'))

// A block marked `<!-- run: name -->` is meant to run: some test must run it by that name.
const testSources = readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter(
    (path) => path.endsWith('.test.ts') && !path.includes('node_modules') && (path.startsWith('test/') || path.startsWith('packages/')),
  )
  .map((path) => readFileSync(join(root, path), 'utf8'))
for (const block of byFile.values()) {
  if (block.name !== undefined && !testSources.some((source) => source.includes(`'${block.file}', '${block.name}'`)))
    problems.push(
      `${block.file}:${block.line}: the block marked to run as ${block.name} is run by no test (runBlock('${block.file}', '${block.name}'))`,
    )
}

const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'test/docs/tsconfig.json')], {
  encoding: 'utf8',
})
// `.blocks/<name>.ts(12,5): error TS…` → `docs/x.md:LINE:5: error TS…`
const report = `${tsc.stdout}${tsc.stderr}`.replace(/^(?:test\/docs\/)?\.blocks\/([^(]+)\((\d+),(\d+)\)/gm, (whole, name, line, column) => {
  const block = byFile.get(name)
  return block === undefined ? whole : `${block.file}:${block.line + Number(line) - 1}:${column}`
})
if (tsc.status !== 0 || problems.length > 0) {
  process.stderr.write(report)
  for (const problem of problems) process.stderr.write(`${problem}\n`)
  process.stderr.write(`\ndocs: problems in the code blocks (${byFile.size} blocks checked)\n`)
  process.exit(1)
}
console.log(`docs: ${byFile.size} ts code blocks compile (strict, NodeNext, against the built packages)`)
