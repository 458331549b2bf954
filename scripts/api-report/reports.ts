// What scripts/api-report.ts writes: for each package, the report of its public API (every export
// entry but the internal ones, each exported name with its declaration as the published .d.ts has
// it, and the types its signatures use that no public entry exports).
//
// Built on the TypeScript compiler we already use rather than @microsoft/api-extractor: one program
// over every entry's .d.ts answers for all packages at once, with no configuration per entry and no
// second TypeScript inside the tool.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import ts from 'typescript'

/** Entries that are not public API: not reported (docs/contributing.md). */
export const NOT_PUBLIC = new Set(['@middy-deadline/deadline/internal'])
export const UPDATE_COMMAND = 'npm run api:update'

interface Entry {
  specifier: string
  dts: string
}
interface PackageEntries {
  name: string
  dir: string
  entries: Entry[]
}

function packages(packagesDir: string): PackageEntries[] {
  return readdirSync(packagesDir).map((dirName) => {
    const dir = join(packagesDir, dirName)
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string
      exports: Record<string, { types: string }>
    }
    const entries = Object.entries(manifest.exports).map(([subpath, target]) => ({
      specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
      dts: join(dir, target.types),
    }))
    return { name: manifest.name, dir, entries }
  })
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed })

function report(pkg: PackageEntries, scope: Scope): string {
  const { checker, program, covered, root } = scope
  const lines = [
    `# API report: ${pkg.name}`,
    '',
    `What a user of ${pkg.name} can import, as the published \`.d.ts\` declares it (comments left out).`,
    `Written by \`${UPDATE_COMMAND}\` (scripts/api-report.ts); CI fails when it is out of date. A change`,
    'here is a change of the public API: semver applies.',
  ]
  const forgotten = new Set<ts.Symbol>()
  for (const entry of pkg.entries.filter((e) => !NOT_PUBLIC.has(e.specifier))) {
    const source = program.getSourceFile(entry.dts)
    const moduleSymbol = source && checker.getSymbolAtLocation(source)
    if (moduleSymbol === undefined) throw new Error(`${relative(root, entry.dts)} is missing: build first (npm run build)`)
    lines.push('', `## \`${entry.specifier}\``, '', '```ts')
    const exports = checker.getExportsOfModule(moduleSymbol).toSorted((a, b) => compare(a.name, b.name))
    for (const exported of exports) {
      const target = resolve(checker, exported)
      const declarations = target.declarations ?? []
      const own = declarations.filter((d) => isUnder(d.getSourceFile().fileName, pkg.dir))
      if (own.length === 0) {
        lines.push(`export { ${exportName(exported, target)} } from '${moduleOf(declarations[0], root)}'`)
        continue
      }
      if (exported.name !== target.name) {
        lines.push(`export { ${target.name} as ${exported.name} }`)
        continue
      }
      for (const declaration of own) {
        lines.push(`export ${print(declaration)}`)
        for (const referenced of references(declaration, scope)) {
          if (!covered.has(referenced)) forgotten.add(referenced)
        }
      }
    }
    lines.push('```')
  }
  // A type that a public signature uses is part of the surface even when no entry exports it.
  if (forgotten.size > 0) {
    lines.push('', '## Used by the declarations above, exported by no public entry', '', '```ts')
    const queue = [...forgotten]
    const seen = new Set(queue)
    for (let i = 0; i < queue.length; i++) {
      const symbol = queue[i] as ts.Symbol
      for (const declaration of symbol.declarations ?? []) {
        lines.push(`// ${relative(root, declaration.getSourceFile().fileName)}`, print(declaration))
        for (const referenced of references(declaration, scope)) {
          if (!covered.has(referenced) && !seen.has(referenced)) {
            seen.add(referenced)
            queue.push(referenced)
          }
        }
      }
    }
    lines.push('```')
  }
  return `${lines.join('\n')}\n`
}

function resolve(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
}

function exportName(exported: ts.Symbol, target: ts.Symbol): string {
  return exported.name === target.name ? exported.name : `${target.name} as ${exported.name}`
}

function moduleOf(declaration: ts.Declaration | undefined, root: string): string {
  const file = declaration?.getSourceFile().fileName ?? '?'
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)
  return match?.[1] ?? relative(root, file)
}

/** A declaration as the .d.ts has it, without comments, `export` and `declare`; indented by two. */
function print(declaration: ts.Declaration): string {
  const node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration
  const text = printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile())
  return text
    .replace(/^export (declare )?/, '')
    .replace(/^declare /, '')
    .replace(/^((?: {4})+)/gm, (indent) => ' '.repeat(indent.length / 2))
}

/** The symbols of our packages that a declaration's types name (type references, heritage, typeof). */
function references(declaration: ts.Node, { checker, packagesDir }: Scope): ts.Symbol[] {
  const found: ts.Symbol[] = []
  const visit = (node: ts.Node) => {
    const name = ts.isTypeReferenceNode(node)
      ? node.typeName
      : ts.isExpressionWithTypeArguments(node)
        ? node.expression
        : ts.isTypeQueryNode(node)
          ? node.exprName
          : ts.isImportTypeNode(node)
            ? node.qualifier
            : undefined
    const symbol = name && checker.getSymbolAtLocation(name)
    if (symbol !== undefined) {
      const target = resolve(checker, symbol)
      if ((target.declarations ?? []).some((d) => isUnder(d.getSourceFile().fileName, packagesDir) && !ts.isTypeParameterDeclaration(d))) {
        found.push(target)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(declaration)
  return found
}

const isUnder = (file: string, dir: string) => file.startsWith(`${dir}/`) && !file.includes('/node_modules/')
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * A program over our .d.ts files alone. The reports print declarations as written and follow only
 * our own types, so the dependencies' types (7 MB: the AWS SDK, Smithy, @types/node...) and the
 * standard library are read as empty modules: 9 s of parsing saved per run (about 0.5 s left).
 */
function ourDeclarationsOnly(roots: string[]): ts.Program {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    noLib: true,
    types: [],
    noEmit: true,
  }
  const host = ts.createCompilerHost(options)
  const read = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, language, onError) =>
    fileName.includes('/node_modules/') ? ts.createSourceFile(fileName, 'export {}', language) : read(fileName, language, onError)
  return ts.createProgram(roots, options, host)
}

/** Every symbol some public entry of ours exports: a signature may use those freely. */
function publicSymbols(all: PackageEntries[], checker: ts.TypeChecker, program: ts.Program): Set<ts.Symbol> {
  const covered = new Set<ts.Symbol>()
  for (const entry of all.flatMap((p) => p.entries).filter((e) => !NOT_PUBLIC.has(e.specifier))) {
    const source = program.getSourceFile(entry.dts)
    const moduleSymbol = source && checker.getSymbolAtLocation(source)
    for (const exported of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) covered.add(resolve(checker, exported))
  }
  return covered
}

interface Scope {
  checker: ts.TypeChecker
  program: ts.Program
  /** Every symbol a public entry of ours exports: a signature may use those freely. */
  covered: Set<ts.Symbol>
  packagesDir: string
  /** Paths in the reports are relative to it. */
  root: string
}

/** Each package's report, by the path of its api-report.md. Reads packages/<name>/dist: build first. */
export function apiReports(packagesDir: string): Map<string, string> {
  const all = packages(packagesDir)
  const program = ourDeclarationsOnly(all.flatMap((p) => p.entries.map((e) => e.dts)))
  const checker = program.getTypeChecker()
  const scope: Scope = { checker, program, covered: publicSymbols(all, checker, program), packagesDir, root: dirname(packagesDir) }
  return new Map(all.map((pkg) => [join(pkg.dir, 'api-report.md'), report(pkg, scope)]))
}
