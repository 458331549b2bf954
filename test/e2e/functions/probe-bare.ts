import { probeApp } from './probe-app.js'

/** The probe as a bare async handler: no Middy at all. */
export const handler = probeApp
