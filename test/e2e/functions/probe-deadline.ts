import middy from '@middy/core'
import { deadline } from '@middy-deadline/deadline'
import { probeApp } from './probe-app.js'

/** The probe with the shared deadline only: `context.deadline`, `currentDeadline()`, cutoff 200 ms early. */
export const handler = middy(probeApp).use(deadline({ reserveMs: 200 }))
