// Every package as npm would publish it (CI, and `npm run release` before its dry-run publish):
//
//   node scripts/packages.mjs [out dir]      (after `npm run build`; out dir default .release/)
//
// 1. packs each public package with pnpm (its `workspace:` ranges become the versions they point at);
// 2. checks each tarball: publint and @arethetypeswrong/cli report nothing at all, and it holds its
//    LICENSE, README and CHANGELOG, no declaration map (they would point at sources not shipped), no
//    declaration left over from an older build, and the fields the npm site shows;
// 3. installs the tarballs with npm into a fresh project outside the workspace, once with the lowest
//    @middy/core 6 and once with the lowest 7 that the packages' peer range admits, and there imports
//    every entry point, invokes a handler chain once, and does the same with the handler bundled by
//    esbuild (on Node 22 and 24).
// Prints what it did and how long each part took; exits 1 at the first problem.
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { publint } from 'publint'
import { publishedPackages, REPOSITORY } from './published.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = join(root, process.argv[2] ?? '.release')
const node = { 22: join(root, '.tools/bin/node22'), 24: join(root, '.tools/bin/node24') }
const pnpm = join(root, '.tools/pnpm/node_modules/pnpm/bin/pnpm.cjs')

const timings = []
async function part(label, run) {
  const started = performance.now()
  process.stdout.write(`--- ${label}\n`)
  const result = await run()
  timings.push(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return result
}
const fail = (message) => {
  console.error(`packages: ${message}`)
  process.exit(1)
}
const run = (command, args, options = {}) =>
  execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options })
// Most of the time is the start-up of pnpm, attw and TypeScript in each process: they run side by side.
const runAsync = (command, args, options = {}) => promisify(execFile)(command, args, { encoding: 'utf8', ...options })

const packages = publishedPackages()

// The oldest release of each major the peer range admits (`^6.0.0 || >=7.0.2`: @middy/core 7.0.0
// cannot be imported without the optional durable SDK), read from the range itself; every package
// that has the peer must state the same range.
const middyRanges = new Set(packages.map((pkg) => pkg.manifest.peerDependencies?.['@middy/core']).filter(Boolean))
if (middyRanges.size !== 1) fail(`the packages disagree on @middy/core's range: ${[...middyRanges].join(' / ')}`)
const lowestMiddy = [...middyRanges][0].split('||').map((set) => /(?:\^|>=)\s*(\d+\.\d+\.\d+)/.exec(set)?.[1] ?? fail(`cannot read ${set}`))

const tarballs = await part(`pack ${packages.length} packages into ${relative(root, out)}/`, async () => {
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  await Promise.all(packages.map((pkg) => runAsync(process.execPath, [pnpm, 'pack', '--pack-destination', out], { cwd: pkg.dir })))
  const files = readdirSync(out).filter((file) => file.endsWith('.tgz'))
  if (files.length !== packages.length) fail(`expected ${packages.length} tarballs, got ${files.join(', ')}`)
  return packages.map((pkg) => ({
    ...pkg,
    tarball: join(out, `${pkg.manifest.name.slice(1).replace('/', '-')}-${pkg.manifest.version}.tgz`),
  }))
})

await part('check each tarball: contents, fields, publint, @arethetypeswrong/cli', async () => {
  const checked = tarballs.map(async (pkg) => {
    const files = run('tar', ['tzf', pkg.tarball])
      .split('\n')
      .filter(Boolean)
      .map((file) => file.replace(/^package\//, ''))
    const packed = JSON.parse(run('tar', ['xzf', pkg.tarball, '-O', 'package/package.json']))
    const problems = []
    for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']) if (!files.includes(file)) problems.push(`no ${file}`)
    for (const file of files) {
      if (file.endsWith('.d.ts.map')) problems.push(`a declaration map, whose sources are not shipped: ${file}`)
      const source =
        file.startsWith('dist/') && file.endsWith('.d.ts')
          ? join(pkg.dir, file.replace(/^dist\//, 'src/').replace(/\.d\.ts$/, '.ts'))
          : undefined
      if (source !== undefined && !existsSync(source))
        problems.push(`a declaration without a source, left by an older build (npm run release builds from scratch): ${file}`)
    }
    if (packed.license !== 'MIT') problems.push(`license ${packed.license}`)
    if (packed.repository?.url !== `git+${REPOSITORY}.git` || packed.repository?.directory !== `packages/${pkg.name}`)
      problems.push('repository')
    if (typeof packed.homepage !== 'string' || !packed.homepage.startsWith(REPOSITORY)) problems.push('homepage')
    if (packed.bugs?.url !== `${REPOSITORY}/issues`) problems.push('bugs')
    if (!Array.isArray(packed.keywords) || packed.keywords.length === 0) problems.push('keywords')
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'])
      for (const [name, range] of Object.entries(packed[field] ?? {}))
        if (range.startsWith('workspace:')) problems.push(`${field} ${name}@${range}`)
    const bytes = readFileSync(pkg.tarball)
    const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    const { messages } = await publint({ pack: { tarball }, strict: true, level: 'suggestion' })
    for (const message of messages) problems.push(`publint ${message.type} ${message.code} at ${message.path?.join('.') ?? ''}`)
    // ESM only, like @middy/core 7: what a CommonJS resolution would find is not a problem here.
    try {
      await runAsync(join(root, 'node_modules/.bin/attw'), [pkg.tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color'])
    } catch (error) {
      problems.push(`@arethetypeswrong/cli:\n${error.stdout}${error.stderr}`)
    }
    return { pkg, files, problems }
  })
  for (const { pkg, files, problems } of await Promise.all(checked)) {
    if (problems.length > 0) fail(`${relative(root, pkg.tarball)}:\n  ${problems.join('\n  ')}`)
    console.log(`${relative(root, pkg.tarball)}: ${files.length} files, publint and attw clean`)
  }
})

// A user's function: every entry point imported, the chain the README recommends, one invocation.
const handlerSource = `
import middy from '@middy/core'
import deadline, { currentDeadline } from '@middy-deadline/deadline'
import gracefulTimeout from '@middy-deadline/graceful-timeout'
import { flushPowertools } from '@middy-deadline/graceful-timeout/powertools'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import outboundFetchTimeout, { withDeadline } from '@middy-deadline/outbound-fetch-timeout'
import { awsSdkDeadlinePlugin } from '@middy-deadline/outbound-fetch-timeout/aws-sdk'
import remainingTimeBudget, { runWithinBudget } from '@middy-deadline/remaining-time-budget'
import { stepWithinBudget } from '@middy-deadline/remaining-time-budget/durable'
import { buildReport } from '@middy-deadline/report'
import { createLambdaContext, invokeWithTimeout } from '@middy-deadline/testing'
import timingLogger from '@middy-deadline/timing-logger'

const entries = [deadline, flushPowertools, watchdog.watch, awsSdkDeadlinePlugin, stepWithinBudget, buildReport]
const graceful = gracefulTimeout({ reserveMs: 200 })
const handler = middy(async (event, context) => {
  const run = await runWithinBudget(event.ids, (id, { signal }) => withDeadline(Promise.resolve(id * 2), { label: 'double', signal }))
  return { doubled: run.outcomes.map((outcome) => outcome.value), same: currentDeadline() === context.deadline, left: context.deadline.remaining() > 0 }
}, graceful.plugin)
  .use(timingLogger({ logger: { info: () => {}, warn: () => {} } }))
  .use(graceful)
  .use(outboundFetchTimeout())
  .use(remainingTimeBudget())

const outcome = await invokeWithTimeout(handler, { ids: [1, 2, 3] }, { context: createLambdaContext({ timeoutMs: 2000 }) })
const ok = outcome.status === 'succeeded' && JSON.stringify(outcome.response) === '{"doubled":[2,4,6],"same":true,"left":true}'
console.log(JSON.stringify({ entries: entries.filter((entry) => typeof entry === 'function').length, outcome: outcome.status, response: outcome.response }))
process.exit(ok ? 0 : 1)
`

for (const middyVersion of lowestMiddy) {
  await part(`install the tarballs with @middy/core ${middyVersion} into a fresh project, import, bundle, invoke`, async () => {
    const project = mkdtempSync(join(tmpdir(), 'middy-deadline-install-'))
    try {
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-lambda-function', private: true, type: 'module' }))
      writeFileSync(join(project, 'handler.mjs'), handlerSource)
      run(
        'npm',
        ['install', '--no-audit', '--no-fund', '--loglevel=error', `@middy/core@${middyVersion}`, ...tarballs.map((pkg) => pkg.tarball)],
        {
          cwd: project,
        },
      )
      const installed = JSON.parse(readFileSync(join(project, 'node_modules/@middy/core/package.json'), 'utf8')).version
      if (installed !== middyVersion) fail(`installed @middy/core ${installed}, not ${middyVersion}`)
      await build({
        absWorkingDir: project,
        entryPoints: ['handler.mjs'],
        outfile: 'bundle.mjs',
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        logLevel: 'error',
      })
      for (const [how, file, major] of [
        ['as installed', 'handler.mjs', 22],
        ['bundled', 'bundle.mjs', 22],
        ['bundled', 'bundle.mjs', 24],
      ]) {
        try {
          console.log(`@middy/core ${installed}, ${how}, Node ${major}: ${run(node[major], [file], { cwd: project }).trim()}`)
        } catch (error) {
          fail(`@middy/core ${installed}, ${how}, Node ${major}:\n${error.stdout}${error.stderr}`)
        }
      }
    } finally {
      rmSync(project, { recursive: true, force: true })
    }
  })
}

console.log(`\npackages: all checks passed\n${timings.map((line) => `  ${line}`).join('\n')}`)
