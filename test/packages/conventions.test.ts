import * as deadlinePackage from '@middy-deadline/deadline'
import * as gracefulTimeoutPackage from '@middy-deadline/graceful-timeout'
import * as outboundFetchTimeoutPackage from '@middy-deadline/outbound-fetch-timeout'
import * as remainingTimeBudgetPackage from '@middy-deadline/remaining-time-budget'
import * as timingLoggerPackage from '@middy-deadline/timing-logger'
import { describe, expect, it } from 'vitest'

// As every @middy/* middleware: `import gracefulTimeout from '@middy-deadline/graceful-timeout'`.
describe("each package's default export", () => {
  it.each([
    ['@middy-deadline/deadline', deadlinePackage.default, deadlinePackage.deadline],
    ['@middy-deadline/graceful-timeout', gracefulTimeoutPackage.default, gracefulTimeoutPackage.gracefulTimeout],
    ['@middy-deadline/outbound-fetch-timeout', outboundFetchTimeoutPackage.default, outboundFetchTimeoutPackage.outboundFetchTimeout],
    ['@middy-deadline/remaining-time-budget', remainingTimeBudgetPackage.default, remainingTimeBudgetPackage.remainingTimeBudget],
    ['@middy-deadline/timing-logger', timingLoggerPackage.default, timingLoggerPackage.timingLogger],
  ])('%s is its middleware, the same function as the named export', (_name, byDefault, named) => {
    expect(byDefault).toBe(named)
    expect(typeof byDefault).toBe('function')
  })
})
