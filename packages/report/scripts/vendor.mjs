// Copies uPlot's built file, its stylesheet and its licence into dist/vendor/uplot, where the HTML
// report reads them to inline into the page: the published package runs without uPlot installed
// (no runtime dependency), and the page it writes needs no network. Run by scripts/build.mjs.
import { copyFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const uplot = dirname(createRequire(join(packageDir, 'package.json')).resolve('uplot/package.json'))
const to = join(packageDir, 'dist', 'vendor', 'uplot')
mkdirSync(to, { recursive: true })
for (const file of ['dist/uPlot.iife.min.js', 'dist/uPlot.min.css', 'LICENSE'])
  copyFileSync(join(uplot, file), join(to, file.split('/').pop()))
