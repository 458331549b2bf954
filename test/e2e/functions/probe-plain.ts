import middy from '@middy/core'
import { probeApp } from './probe-app.js'

/** The probe under plain Middy: none of our middlewares. */
export const handler = middy(probeApp)
