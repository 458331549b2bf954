import middy from '@middy/core'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { timingLogger } from '@middy-deadline/timing-logger'
import { type Probe, type ProbeEvent, probeApp } from './probe-app.js'

/** The probe with the timing logger first (it sees the whole chain) and graceful-timeout. */
const graceful = gracefulTimeout<ProbeEvent, Probe | { statusCode: number; body: string }>({
  reserveMs: 300,
  timeoutResponse: () => ({ statusCode: 504, body: 'timed out' }),
})

export const handler = middy(probeApp, graceful.plugin).use(timingLogger()).use(graceful)
