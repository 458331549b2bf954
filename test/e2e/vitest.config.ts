import { defineConfig } from 'vitest/config'

// The end-to-end suite: bundled handlers under the real Lambda runtime client. Files run one after
// the other so that timing-sensitive scenarios do not compete for the CPU. E2E_NODE picks the Node
// binary that runs the runtime (scripts/test.sh sets it to the Node running vitest).
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/e2e/.build/**'],
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
})
