import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs'
import middy from '@middy/core'
import { deadline } from '@middy-deadline/deadline'
import { awsSdkDeadlinePlugin } from '@middy-deadline/outbound-fetch-timeout/aws-sdk'
import { createLambdaContext } from '@middy-deadline/testing'
import { describe, expect } from 'vitest'
import { failing, property, settled, survive } from '../../../test/hostile/harness.js'

// Beside the cross-package suite (test/hostile), because the AWS SDK is this package's dev dependency.
describe('awsSdkDeadlinePlugin: a request handler fails with any value', () => {
  property('the send fails, nothing else does', async (value, how) => {
    const client = new SQSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
      requestHandler: { handle: failing(value, how) } as never,
    })
    client.middlewareStack.use(awsSdkDeadlinePlugin(client.config, { perRequestMs: 1000 }))
    const handler = middy(async () => settled(client.send(new GetQueueUrlCommand({ QueueName: 'q' })))).use(deadline())
    const { result } = await survive(() => handler({}, createLambdaContext()))
    expect(result.ok).toBe(false)
  })
})
