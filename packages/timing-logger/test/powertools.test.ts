import { Logger } from '@aws-lambda-powertools/logger'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { chain, invoke, sleep, warmUp } from './helpers.js'

beforeAll(warmUp)
afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('timingLogger with the Powertools Logger', () => {
  it('writes the record through the logger: its level, timestamp and service, our message and fields', async () => {
    // In dev mode Powertools prints through the global console, where a test can read it (its own
    // Console instance writes to stdout through a handle a spy cannot reach).
    vi.stubEnv('POWERTOOLS_DEV', 'true')
    const printed: string[] = []
    for (const method of ['info', 'warn'] as const) vi.spyOn(console, method).mockImplementation((line: string) => printed.push(line))
    const logger = new Logger({ serviceName: 'orders' })
    await invoke(
      chain(() => sleep(255), { logger }),
      {},
      { timeoutMs: 300 },
    )

    expect(printed).toHaveLength(1)
    const line = JSON.parse(printed[0] as string)
    expect(line).toMatchObject({ level: 'WARN', service: 'orders', outcome: 'success', nearMiss: true })
    expect(line.message).toMatch(/^near miss: /)
    expect(typeof line.timestamp).toBe('string')
    expect(line.phases).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'handler' })]))
  })
})
