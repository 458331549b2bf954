import type { Invocation } from './invocations.js'

/** Which function (and version, and alias) an invocation belongs to, as far as the logs say. */
export interface FunctionKey {
  functionName: string | undefined
  version: string | undefined
  alias: string | undefined
}

const MAX_STREAMS = 10_000
/** A Lambda log stream: `YYYY/MM/DD/[version]id`, or `YYYY/MM/DD/name[version]id` in a shared log group. */
const LAMBDA_STREAM = /^\d{4}\/\d\d\/\d\d\/([^[\]]*)\[([^\]]+)\][0-9a-zA-Z]+$/
const ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::(.+))?$/

/**
 * Names invocations. Lambda's own lines (START, REPORT, Task timed out) carry no function name;
 * our timing record does, and so do a shared log group's stream names. What one invocation of a
 * stream says is remembered for the stream, so that a hard-killed invocation (no record of ours)
 * in the same stream is named too.
 */
export class Attribution {
  readonly #streams = new Map<string, FunctionKey>()
  readonly #defaultName: string | undefined

  constructor(defaultName: string | undefined) {
    this.#defaultName = defaultName
  }

  keyOf(invocation: Invocation): FunctionKey {
    const { timing, stream } = invocation
    const fromStream = stream === undefined ? undefined : LAMBDA_STREAM.exec(stream)
    const arn = parseArn(timing?.invokedFunctionArn) ?? parseArn(invocation.functionArn)
    const learned = stream === undefined ? undefined : this.#streams.get(stream)
    const functionName = timing?.functionName ?? arn?.name ?? nonEmpty(fromStream?.[1]) ?? learned?.functionName ?? this.#defaultName
    const version = timing?.functionVersion ?? invocation.version ?? fromStream?.[2] ?? learned?.version
    const alias = arn?.alias ?? learned?.alias
    const key = { functionName, version, alias }
    if (stream !== undefined && functionName !== undefined && learned?.functionName === undefined) this.#learn(stream, key)
    return key
  }

  /** Only a stream not yet named is learned: the oldest is forgotten first past MAX_STREAMS. */
  #learn(stream: string, key: FunctionKey): void {
    this.#streams.set(stream, key)
    if (this.#streams.size > MAX_STREAMS) this.#streams.delete(this.#streams.keys().next().value as string)
  }
}

function parseArn(arn: string | undefined): { name: string; alias: string | undefined } | undefined {
  const match = arn === undefined ? null : ARN.exec(arn)
  if (match === null) return undefined
  const qualifier = match[2]
  // A number is a version and $LATEST is no alias: only a name is an alias.
  const alias = qualifier === undefined || /^\d+$/.test(qualifier) || qualifier === '$LATEST' ? undefined : qualifier
  return { name: match[1] as string, alias }
}

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value)
