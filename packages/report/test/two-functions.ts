// The log lines of a report that takes most paths of the text and HTML reports: two functions,
// read from two AWS CLI wrappers, with every outcome, sampling, cutoffs, phases, downstreams,
// recommendations and warnings (render-text.test.ts, render-html.test.ts).
import { endLine, reportLine, requestId, startLine, timeoutLine, timingLine } from './lines.js'

/** A line as `aws logs tail --format detailed` prints it: timestamp, log stream, message. */
const tail = (second: number, line: string) =>
  `2026-11-30T10:00:${String(second).padStart(2, '0')}.000+00:00 2026/11/30/[7]a1b2c3d4 ${line}`

/**
 * orders, version 7, read from `aws logs tail`: six completed invocations (one an error, two near
 * misses, one cold start, two routine ones sampled at 0.5), a graceful timeout, a kill after the
 * cutoff, a kill with the event loop blocked, a kill only Lambda's lines show (named through its
 * log stream), one still running; warnings; a line cut short and a JSON line of someone else's.
 */
export function ordersLines(): string[] {
  const lines: string[] = []
  const durations = [120, 180, 240, 900, 2500, 2600]
  durations.forEach((durationMs, i) => {
    const id = requestId(i)
    const timing = JSON.parse(
      timingLine({
        requestId: id,
        functionVersion: '7',
        durationMs,
        outcome: i === 3 ? 'error' : 'success',
        coldStart: i === 0,
        initDurationMs: i === 0 ? 310 : undefined,
        maxRssMB: 100 + i * 10,
        memoryLimitMB: 512,
        phases: [
          { name: 'auth', durationMs: 10 },
          { name: 'handler', durationMs: durationMs - 20 },
        ],
        calls: [
          { target: 'https://api.example.com/items', durationMs: durationMs - 100 },
          { target: 'https://cache.example.com/get', durationMs: 4 + i, method: 'POST' },
        ],
        callsStarted: i === 5 ? 5 : 2,
      }),
    )
    const record = i === 1 || i === 2 ? { ...timing, sampleRate: 0.5 } : timing
    lines.push(
      tail(i, startLine(id, '7')),
      tail(i, JSON.stringify(record)),
      tail(i, endLine(id)),
      tail(i, reportLine(id, { durationMs: durationMs + 1, memorySizeMB: 512, maxMemoryUsedMB: 100 + i * 10 })),
    )
  })
  const graceful = requestId(6)
  lines.push(
    tail(6, startLine(graceful, '7')),
    tail(6, timeoutLine({ requestId: graceful, elapsedMs: 2500, pending: [{ url: 'https://api.example.com/items', durationMs: 2400 }] })),
    tail(6, timingLine({ requestId: graceful, functionVersion: '7', outcome: 'timeout', durationMs: 2560, memoryLimitMB: 512 })),
    tail(6, endLine(graceful)),
    tail(6, reportLine(graceful, { durationMs: 2562, memorySizeMB: 512 })),
  )
  const killed = requestId(7)
  const blocked = requestId(8)
  const silent = requestId(9)
  lines.push(
    tail(7, startLine(killed, '7')),
    tail(7, timeoutLine({ requestId: killed, elapsedMs: 2500 })),
    tail(7, endLine(killed)),
    tail(7, reportLine(killed, { durationMs: 3000, memorySizeMB: 512, status: 'timeout' })),
    tail(8, startLine(blocked, '7')),
    tail(8, timeoutLine({ requestId: blocked, elapsedMs: 2500, source: 'watchdog' })),
    tail(8, endLine(blocked)),
    tail(8, reportLine(blocked, { durationMs: 3000, memorySizeMB: 512, status: 'timeout' })),
    tail(9, startLine(silent, '7')),
    tail(9, endLine(silent)),
    tail(9, reportLine(silent, { durationMs: 3000, memorySizeMB: 512, status: 'timeout' })),
    tail(10, startLine(requestId(10), '7')),
  )
  const warning = (pkg: string, message: string) => tail(11, JSON.stringify({ level: 'WARN', package: `@middy-deadline/${pkg}`, message }))
  lines.push(
    warning('timing-logger', 'deadlinePlugin() is not set up'),
    warning('graceful-timeout', 'the reserve is shorter than the watchdog needs'),
    warning('timing-logger', 'deadlinePlugin() is not set up'),
    tail(12, '{"cut": '),
    tail(12, JSON.stringify({ some: 'thing' })),
  )
  return lines
}

/**
 * billing, alias live, as `aws logs filter-log-events --output json` prints it (the lines around
 * the events are the wrapper's): three routine records sampled at 0.25, one invocation cut at
 * its cutoff, no Lambda lines.
 */
export function billingLines(): string[] {
  const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:billing:live'
  const messages: string[] = []
  for (let i = 0; i < 3; i++) {
    const record = JSON.parse(
      timingLine({
        requestId: requestId(i, 'b'),
        functionName: 'billing',
        durationMs: 200 + i * 10,
        budgetMs: 5998,
        memoryLimitMB: 256,
        maxRssMB: 80,
      }),
    )
    messages.push(JSON.stringify({ ...record, sampleRate: 0.25, invokedFunctionArn: arn }))
  }
  const hung = requestId(3, 'b')
  messages.push(timeoutLine({ requestId: hung, elapsedMs: 5500, budgetMs: 5998 }))
  const record = JSON.parse(
    timingLine({ requestId: hung, functionName: 'billing', outcome: 'timeout', durationMs: 5600, budgetMs: 5998, memoryLimitMB: 256 }),
  )
  messages.push(JSON.stringify({ ...record, invokedFunctionArn: arn }))
  const lines = ['{', '    "events": [']
  messages.forEach((message, i) => {
    const at = Date.UTC(2026, 10, 30, 10, 5, i)
    lines.push(
      '        {',
      '            "logStreamName": "2026/11/30/[$LATEST]0123456789abcdef",',
      `            "timestamp": ${at},`,
      `            "message": ${JSON.stringify(message)},`,
      `            "ingestionTime": ${at + 500},`,
      `            "eventId": "${i}"`,
      i === messages.length - 1 ? '        }' : '        },',
    )
  })
  lines.push('    ],', '    "searchedLogStreams": []', '}')
  return lines
}
