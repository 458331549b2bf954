import { afterEach, beforeAll } from 'vitest'
import { bundleFunction, type FunctionOptions, type LambdaFunction, startFunction } from './harness/index.js'

export interface FunctionUnderTest {
  /** Starts the bundled function; it is stopped when the test ends, whatever happened. */
  start(options?: Omit<FunctionOptions, 'bundle'>): Promise<LambdaFunction>
}

/** Bundles `entry` once for the test file; each test starts its own function from the bundle. */
export function functionUnderTest(entry: string): FunctionUnderTest {
  let bundle: string | undefined
  const started: LambdaFunction[] = []
  beforeAll(async () => {
    bundle = await bundleFunction(entry)
  })
  afterEach(async () => {
    await Promise.all(started.splice(0).map((fn) => fn.stop()))
  })
  return {
    async start(options = {}) {
      if (bundle === undefined) throw new Error(`${entry} is not bundled: call start() inside a test`)
      const fn = await startFunction({ ...options, bundle })
      started.push(fn)
      return fn
    },
  }
}
