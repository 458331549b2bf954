import { expect, it, vi } from 'vitest'

// `@aws-sdk/client-cloudwatch-logs` is an optional peer: a log group read without it installed
// says what to install, and keeps the import's own error as the cause.

it('says to install the SDK when reading a log group without it', async () => {
  const missing = new Error("Cannot find package '@aws-sdk/client-cloudwatch-logs'")
  vi.doMock('@aws-sdk/client-cloudwatch-logs', () => {
    throw missing
  })
  const { logGroupEvents } = await import('../src/cloudwatch.js')
  const read = logGroupEvents({ logGroupName: 'g', client: { send: async () => ({}) } }).next()
  await expect(read).rejects.toThrow(
    '@middy-deadline/report: reading a log group needs @aws-sdk/client-cloudwatch-logs (an optional peer): npm install @aws-sdk/client-cloudwatch-logs',
  )
  // The import's failure stays reachable (here vitest's wrapper of the module's own error).
  await expect(read).rejects.toMatchObject({ cause: expect.any(Error) })
})
