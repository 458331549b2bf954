import { setTimeout as sleep } from 'node:timers/promises'
import { sqsBatch } from '@middy-deadline/remaining-time-budget'

/** `sqsBatch` exported as the Lambda handler itself, with no Middy around it. */
export const handler = sqsBatch(
  async (record, { signal }) => {
    const { id, fail } = JSON.parse(record.body) as { id: string; fail?: boolean }
    await sleep(10, undefined, { signal })
    if (fail) throw new Error(`order ${id} refused`)
    console.log(`saved order ${id}`)
  },
  { expectedMs: 10, reserveMs: 200 },
)
