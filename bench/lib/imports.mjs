import { distEntry, FOUR, OURS } from './packages.mjs'

/** What each import-time and bundle-size target loads: module specifiers or absolute paths. */
export const IMPORT_TARGETS = {
  ...Object.fromEntries(OURS.map((name) => [name, [distEntry(name)]])),
  'all four (+ deadline)': FOUR.map(distEntry),
  '@middy/core': ['@middy/core'],
  '@dazn/…-middleware-log-timeout': ['@dazn/lambda-powertools-middleware-log-timeout'],
  'powertools logger + middleware': ['@aws-lambda-powertools/logger', '@aws-lambda-powertools/logger/middleware'],
}

/** Targets that are ours need their packages built; the others are installed. */
export const targetPackages = (target) => (target === 'all four (+ deadline)' ? OURS : OURS.includes(target) ? ['deadline', target] : [])
