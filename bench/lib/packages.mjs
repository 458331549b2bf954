import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Where the bench finds our packages: their built dist (what users run), by file path because the
 * repository root does not link the workspace packages into its own node_modules.
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export const OURS = ['deadline', 'graceful-timeout', 'outbound-fetch-timeout', 'remaining-time-budget', 'timing-logger']
/** The four middlewares a user composes; `deadline` is the shared core they all depend on. */
export const FOUR = ['graceful-timeout', 'outbound-fetch-timeout', 'remaining-time-budget', 'timing-logger']

export const distEntry = (name) => `${ROOT}packages/${name}/dist/index.js`
export const srcEntry = (name) => srcSubpath(name)
export const srcSubpath = (name, subpath = 'index') => `${ROOT}packages/${name}/src/${subpath}.ts`

/** A package is measured once its build exists (scripts/bench.sh builds whatever compiles). */
export const isBuilt = (name) => existsSync(distEntry(name))

export const NODES = { 22: `${ROOT}.tools/bin/node22`, 24: `${ROOT}.tools/bin/node24` }
