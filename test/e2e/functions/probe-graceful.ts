import middy from '@middy/core'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import { type Probe, type ProbeEvent, probeApp } from './probe-app.js'

/**
 * The probe with graceful-timeout: cutoff 300 ms before the hard deadline, a 504 instead of the
 * kill, and the watchdog for handlers that block the event loop.
 */
const graceful = gracefulTimeout<ProbeEvent, Probe | { statusCode: number; body: string }>({
  reserveMs: 300,
  timeoutResponse: () => ({ statusCode: 504, body: 'timed out' }),
  watchdog,
})

export const handler = middy(probeApp, graceful.plugin).use(graceful)
