import ts from 'typescript'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: the bench's helpers are plain JavaScript modules without declarations
import { bundleSize, PEERS } from '../../bench/lib/bundle.mjs'
// @ts-expect-error: likewise
import { HANDLER_ALL_FOUR } from '../../bench/lib/sizes.mjs'

// A bundler keeps a top-level call it cannot prove free of effects, and whatever the call reaches,
// even where nothing uses its result: an option rule made when a module loads kept the duration
// estimator in every bundle of remainingTimeBudget() (docs/performance.md, "What would get us
// there", Size). Such calls are marked `/* @__PURE__ */`; this finds one that is not, as a
// declaration left in the bundle that nothing in the bundle reads.
const BUNDLES: Record<string, string> = {
  "the README's handler": HANDLER_ALL_FOUR,
  'deadline() alone': `export { deadline } from '@middy-deadline/deadline'`,
  'gracefulTimeout() alone': `export { gracefulTimeout } from '@middy-deadline/graceful-timeout'`,
  'outboundFetchTimeout() alone': `export { outboundFetchTimeout } from '@middy-deadline/outbound-fetch-timeout'`,
  'remainingTimeBudget() alone': `export { remainingTimeBudget } from '@middy-deadline/remaining-time-budget'`,
  'timingLogger() alone': `export { timingLogger } from '@middy-deadline/timing-logger'`,
}

/** The top-level declarations of `code` that no other part of it reads. */
function unread(code: string): string[] {
  const source = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS)
  const declared = new Map<string, ts.Node>()
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement))
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) declared.set(declaration.name.text, declaration.name)
      }
    else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name)
      declared.set(statement.name.text, statement.name)
  }
  const read = new Set<string>()
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && declared.has(node.text) && declared.get(node.text) !== node && !isPropertyName(node)) read.add(node.text)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return [...declared.keys()].filter((name) => !read.has(name))
}

function isPropertyName(node: ts.Identifier): boolean {
  const parent = node.parent
  return (
    ((ts.isPropertyAccessExpression(parent) || ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent)) &&
      parent.name === node) ||
    ((ts.isPropertyDeclaration(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent)) && parent.name === node)
  )
}

describe('bundles keep only what they use', () => {
  it('finds a declaration that nothing reads (the check itself)', () => {
    expect(unread('const used = 1; const kept = make(); function unusedFn() {} export { used }')).toEqual(['kept', 'unusedFn'])
  })

  it.each(Object.entries(BUNDLES))('%s: no top-level declaration that nothing reads', async (_, contents) => {
    const { code } = await bundleSize(contents, { external: PEERS, minify: false })
    expect(unread(new TextDecoder().decode(code))).toEqual([])
  })
})
