// The `ts` code blocks of the docs a user reads: README.md, docs/*.md and each package's README.md.
// Every one is compiled (test/docs/check.ts); a block named with `<!-- run: name -->` on the line
// before its fence is also executed by a test (test/docs/run.ts).
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../../', import.meta.url))

export interface CodeBlock {
  /** The Markdown file, relative to the repository root. */
  file: string
  /** 1-based line of the block's first line of code in that file. */
  line: number
  /** The name given by a `<!-- run: name -->` comment right before the fence, if any. */
  name: string | undefined
  code: string
}

const FENCE = /^(\s*)```(\S*)\s*$/
const RUN_MARKER = /^<!--\s*run:\s*([\w-]+)\s*-->$/

export function docFiles(): string[] {
  const md = (dir: string) =>
    readdirSync(join(root, dir))
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => join(dir, name))
  const packages = readdirSync(join(root, 'packages')).sort()
  return ['README.md', ...md('docs'), ...packages.map((name) => join('packages', name, 'README.md'))]
}

/** The `ts` blocks of one Markdown file, indented ones (inside a list item) included. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index] ?? '')
    if (open === null) continue
    const indent = open[1] ?? ''
    const end = lines.findIndex((text, at) => at > index && text.trimEnd() === `${indent}\`\`\``)
    if (end === -1) throw new Error(`${file}:${index + 1}: a code block that is never closed`)
    if (open[2] === 'ts') {
      const name = RUN_MARKER.exec(lines[index - 1]?.trim() ?? '')?.[1]
      const code = lines
        .slice(index + 1, end)
        .map((text) => text.slice(indent.length))
        .join('\n')
      blocks.push({ file: relative(root, join(root, file)), line: index + 2, name, code })
    }
    index = end
  }
  return blocks
}

/** A file name for the block, unique in the docs and stable while the block does not move. */
export function blockFileName(block: CodeBlock): string {
  return `${block.file.replace(/\.md$/, '').replaceAll('/', '_')}_${block.name ?? `line${block.line}`}.ts`
}

export function allCodeBlocks(): CodeBlock[] {
  return docFiles().flatMap(codeBlocks)
}

/** The packages a Markdown file's `npm install` / `npm i` lines install (flags and versions left out). */
export function installedPackages(file: string): Set<string> {
  const text = readFileSync(join(root, file), 'utf8')
  const names = new Set<string>()
  for (const [, args] of text.matchAll(/^\s*npm (?:install|i)\b(.*)$/gm)) {
    for (const arg of (args ?? '').replace(/#.*/, '').trim().split(/\s+/)) {
      if (arg === '' || arg.startsWith('-')) continue
      names.add(arg.replace(/(?<=.)@.*$/, ''))
    }
  }
  return names
}

/** The npm packages a block imports, as a user installs them (`aws-lambda`'s types are `@types/aws-lambda`). */
export function importedPackages(block: CodeBlock): Set<string> {
  const names = new Set<string>()
  for (const [, specifier] of block.code.matchAll(/^\s*(?:import\s+['"]|(?:import|export)\s[^;'"]*?\bfrom\s+['"])([^'"]+)['"]/gm)) {
    if (specifier === undefined || specifier.startsWith('.') || specifier.startsWith('node:')) continue
    const parts = specifier.split('/')
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier)
    names.add(name === 'aws-lambda' ? '@types/aws-lambda' : name)
  }
  return names
}
