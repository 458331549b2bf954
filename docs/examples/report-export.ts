/**
 * Example: a report export that renders page after page. For a big account it needs far longer
 * than the function's timeout. The function buffers a metric and flushes it in `finally`, as
 * Powertools Metrics and most loggers do.
 *
 * - `unprotected`: Lambda kills it at the hard deadline. The `finally` never runs, so the metric
 *   is lost, and the caller gets `Task timed out`. The log says nothing about how far it got.
 * - `handler`: `gracefulTimeout` cuts it 300 ms before the hard deadline. The deadline's signal
 *   stops the render, the `finally` runs (the metric is flushed), the caller gets a 503 with
 *   Retry-After, and one timeout record says where the invocation was. `timingLogger` writes
 *   one record per invocation: duration, share of the timeout used, cold start, phases.
 *
 * With `"blocking": true` the pages are rendered synchronously (CPU-bound, the event loop never
 * gets a turn): nothing in the main thread can run before the kill, not even a timer. Then
 * the watchdog, a worker thread, writes the timeout record before Lambda kills the process.
 */
import middy from '@middy/core'
import { currentDeadline, type DeadlineContext } from '@middy-deadline/deadline'
import { gracefulTimeout } from '@middy-deadline/graceful-timeout'
import { watchdog } from '@middy-deadline/graceful-timeout/watchdog'
import { timingLogger } from '@middy-deadline/timing-logger'
import type { Context } from 'aws-lambda'

interface ExportRequest {
  pages: number
  msPerPage?: number
  blocking?: boolean
}

interface HttpResponse {
  statusCode: number
  headers?: Record<string, string>
  body: string
}

async function exportReport(event: ExportRequest, context: Context): Promise<HttpResponse> {
  // Present only when one of our middlewares runs; without them the render cannot be stopped.
  const signal = (context as Partial<DeadlineContext>).deadline?.signal
  let pagesRendered = 0
  try {
    for (let page = 1; page <= event.pages; page++) {
      if (event.blocking) renderPageBlocking(event.msPerPage ?? 100)
      else await renderPage(event.msPerPage ?? 100, signal)
      pagesRendered = page
      // A mark costs next to nothing; the timeout record lists the last ones.
      currentDeadline()?.mark(`page ${page} rendered`)
    }
    return { statusCode: 200, body: `rendered ${pagesRendered} pages` }
  } finally {
    // Stands in for a metrics flush (Powertools Metrics, EMF): lost if this never runs.
    console.log(JSON.stringify({ metric: 'pagesRendered', value: pagesRendered, requestId: context.awsRequestId }))
  }
}

function renderPage(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}

function renderPageBlocking(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // CPU-bound work: no timer, no promise, no I/O can run meanwhile
  }
}

// Without our middlewares.
export const unprotected = middy(exportReport)

// With graceful-timeout, and the timing logger first so that its one record per invocation covers
// the whole chain. `graceful.plugin` moves Middy's own early timeout to our cutoff and times each
// middleware and the handler for the record.
const graceful = gracefulTimeout<ExportRequest, HttpResponse>({
  reserveMs: 300,
  timeoutResponse: () => ({
    statusCode: 503,
    headers: { 'Retry-After': '60' },
    body: JSON.stringify({ message: 'the export is taking longer than expected, try again later' }),
  }),
  watchdog,
})
export const handler = middy(exportReport, graceful.plugin).use(timingLogger()).use(graceful)
