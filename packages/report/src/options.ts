export const PACKAGE = '@middy-deadline/report'

export interface ReportOptions {
  /** Share of the timeout from which a completed invocation counts as a near-miss (timing-logger's default). */
  nearMissThreshold: number
  /** The configured timeout, when the logs do not say it (or to override what they say). */
  timeoutMs: number | undefined
  /** The function name for invocations whose lines do not name one (one function's log group). */
  functionName: string | undefined
  /** Invocations kept open at once while their lines arrive; bounds memory. */
  maxOpenInvocations: number
}

export const defaults: ReportOptions = {
  nearMissThreshold: 0.8,
  timeoutMs: undefined,
  functionName: undefined,
  maxOpenInvocations: 100_000,
}

/** A bad option, named with the package, when the report is created. */
export class ReportOptionError extends Error {
  override name = 'ReportOptionError'
  readonly option: string

  constructor(option: string, message: string) {
    super(`${PACKAGE}: option ${option} ${message}`)
    this.option = option
  }
}

export function validate(options: Partial<ReportOptions>): ReportOptions {
  if (typeof options !== 'object' || options === null) throw new ReportOptionError('options', 'must be an object')
  for (const key of Object.keys(options))
    if (!Object.hasOwn(defaults, key)) throw new ReportOptionError(key, `is not an option (known: ${Object.keys(defaults).join(', ')})`)
  const config = { ...defaults }
  for (const key of Object.keys(options) as (keyof ReportOptions)[]) {
    const value = options[key]
    if (value !== undefined) (config as Record<string, unknown>)[key] = value
  }
  const { nearMissThreshold, timeoutMs, functionName, maxOpenInvocations } = config
  if (typeof nearMissThreshold !== 'number' || !(nearMissThreshold > 0 && nearMissThreshold <= 1))
    throw new ReportOptionError('nearMissThreshold', `must be a number in (0, 1], got ${describe(nearMissThreshold)}`)
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 1000 && timeoutMs <= 900_000)))
    throw new ReportOptionError('timeoutMs', `must be between 1000 and 900000 (Lambda's limits), got ${describe(timeoutMs)}`)
  if (functionName !== undefined && (typeof functionName !== 'string' || functionName === ''))
    throw new ReportOptionError('functionName', `must be a non-empty string, got ${describe(functionName)}`)
  if (!Number.isInteger(maxOpenInvocations) || maxOpenInvocations < 1)
    throw new ReportOptionError('maxOpenInvocations', `must be a positive integer, got ${describe(maxOpenInvocations)}`)
  return config
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  // The rest by their kind (that of undefined is its name): an object's contents are not shown.
  return typeof value
}
