import { mkdirSync, writeFileSync } from 'node:fs'
import { ROOT } from './packages.mjs'

/** Results go to bench/.out/<name>.json (git-ignored) and a markdown table to stdout. */
export function save(name, data) {
  const dir = `${ROOT}bench/.out`
  mkdirSync(dir, { recursive: true })
  writeFileSync(`${dir}/${name}.json`, `${JSON.stringify(data, null, 2)}\n`)
}

export function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n')
}

export const flag = (name) => process.argv.includes(`--${name}`)
export const option = (name, fallback) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`))
  return arg === undefined ? fallback : arg.slice(name.length + 3)
}
/** `--node=22` or `--node=22,24` (default both). */
export const nodeMajors = () => option('node', '22,24').split(',')
