import { gzipSync } from 'node:zlib'
import ts from 'typescript'
import { bundleSize } from './bundle.mjs'

/**
 * Where a bundle's bytes come from, per source file: its minified bytes (from the bundle's source
 * map, so that every output byte counts once), how many of them are inside string literals and
 * template parts, and what the file costs gzipped, two ways: `gzipMarginal`, what the bundle's gzip
 * loses without the file's bytes (text it shares with other files stays paid for by them), and
 * `gzipShare`, its part of the gzip in bundle order (each file's prefix growth: the shares add up to
 * the whole). `strings` says the same for every string literal at once. For docs/performance.md
 * ("What would get us there", issue 16); `node bench/size.mjs --attribution`.
 */
export async function attribute(contents, { external = [] } = {}) {
  const { code: bytes, map } = await bundleSize(contents, { external, sourcemap: true })
  const code = new TextDecoder().decode(bytes)
  const owner = ownerOfEachByte(code, map)
  const inString = stringBytes(code)
  const gz = (text) => gzipSync(text, { level: 9 }).length
  const total = gz(code)
  const files = new Map()
  const fileOf = (index) => {
    let file = files.get(index)
    if (file === undefined) {
      file = { file: index < 0 ? '(esbuild glue)' : map.sources[index], minBytes: 0, stringBytes: 0, gzipMarginal: 0, gzipShare: 0 }
      files.set(index, file)
    }
    return file
  }
  for (let i = 0; i < code.length; i++) {
    const file = fileOf(owner[i])
    file.minBytes++
    if (inString[i]) file.stringBytes++
  }
  // Shares: the gzip of each prefix that ends where a run of one file's bytes ends.
  let before = 0
  for (let i = 1; i <= code.length; i++) {
    if (i < code.length && owner[i] === owner[i - 1]) continue
    const size = gz(code.slice(0, i))
    fileOf(owner[i - 1]).gzipShare += size - before
    before = size
  }
  for (const [index, file] of files) file.gzipMarginal = total - gz(keep(code, (i) => owner[i] !== index))
  const withoutStrings = gz(keep(code, (i) => !inString[i] || isQuote(code[i])))
  return {
    minBytes: code.length,
    gzipBytes: total,
    strings: { minBytes: inString.reduce((sum, b) => sum + b, 0), gzipMarginal: total - withoutStrings },
    files: [...files.values()].sort((a, b) => b.minBytes - a.minBytes),
  }
}

const keep = (code, test) => {
  let out = ''
  for (let i = 0; i < code.length; i++) if (test(i)) out += code[i]
  return out
}
const isQuote = (c) => c === '"' || c === "'" || c === '`'

/** The index in `map.sources` of the file each byte of `code` comes from (-1: esbuild's own). */
function ownerOfEachByte(code, map) {
  const owner = new Int32Array(code.length).fill(-1)
  const lines = decodeMappings(map.mappings)
  let lineStart = 0
  for (let line = 0; line < lines.length; line++) {
    const lineEnd = code.indexOf('\n', lineStart) === -1 ? code.length : code.indexOf('\n', lineStart) + 1
    const segments = lines[line]
    for (let s = 0; s < segments.length; s++) {
      const [column, source] = segments[s]
      const end = s + 1 < segments.length ? lineStart + segments[s + 1][0] : lineEnd
      owner.fill(source ?? -1, lineStart + column, end)
    }
    lineStart = lineEnd
  }
  return owner
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Source map v3 `mappings`: per output line, segments [column, source] (absolute; other fields dropped). */
function decodeMappings(mappings) {
  const lines = []
  let source = 0
  for (const line of mappings.split(';')) {
    const segments = []
    let column = 0
    for (const segment of line === '' ? [] : line.split(',')) {
      const fields = []
      let value = 0
      let shift = 0
      for (const char of segment) {
        const digit = BASE64.indexOf(char)
        value += (digit & 31) << shift
        if (digit & 32) shift += 5
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
          value = 0
          shift = 0
        }
      }
      column += fields[0]
      if (fields.length > 1) source += fields[1]
      segments.push(fields.length > 1 ? [column, source] : [column])
    }
    lines.push(segments)
  }
  return lines
}

/** 1 for each byte of `code` inside a string literal or a template's literal part. */
function stringBytes(code) {
  const marks = new Uint8Array(code.length)
  const source = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS)
  const visit = (node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node))
      marks.fill(1, node.getStart(source), node.getEnd())
    ts.forEachChild(node, visit)
  }
  visit(source)
  return marks
}
