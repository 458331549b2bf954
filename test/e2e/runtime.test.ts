import { describe, expect, it } from 'vitest'
import type { Probe } from './functions/probe-app.js'
import { linesWith } from './harness/index.js'
import { functionUnderTest } from './lifecycle.js'

// What the runtime itself does to a function, before any of our middlewares is involved, and the
// shared deadline as user code finds it under the real runtime client.

const bare = functionUnderTest('test/e2e/functions/probe-bare.ts')
const plain = functionUnderTest('test/e2e/functions/probe-plain.ts')
const withDeadline = functionUnderTest('test/e2e/functions/probe-deadline.ts')

/**
 * The deadline reads the clock, then the remaining time: its hard deadline is Lambda's, or a few
 * ms earlier if the process was preempted between the two reads. Never later.
 */
function expectSameDeadline(ours: number | undefined, lambdas: number): void {
  expect(ours).toBeLessThanOrEqual(lambdas)
  expect(ours).toBeGreaterThan(lambdas - 50)
}

describe('the Lambda runtime, as the harness runs it', () => {
  it('kills a handler that runs past its timeout: Task timed out, its finally never ran, the next start is cold', async () => {
    const fn = await bare.start({ timeoutMs: 1000 })

    const killed = await fn.invoke({ workMs: 5000 })
    expect(killed.status).toBe('timeout')
    expect(killed.error?.errorMessage).toContain('Task timed out after 1.00 seconds')
    expect(linesWith(killed.logs, 'Task timed out after 1.00 seconds')).toHaveLength(1)
    expect(linesWith(killed.logs, 'finally ran')).toEqual([])
    expect(killed.durationMs).toBeGreaterThanOrEqual(990)

    const next = await fn.invoke<Probe>({})
    expect(next.status).toBe('ok')
    expect(next.coldStart).toBe(true)
    expect(fn.processesStarted).toBe(2)
  })

  it("ends a plain Middy handler within a few ms of the hard deadline, Middy's TimeoutError or killed, its finally never ran", async () => {
    // Middy 7 races the handler against the remaining time minus 5 ms (timeoutEarlyInMillis).
    // Under the real runtime those 5 ms are a coin toss: sometimes its TimeoutError is posted in
    // time, sometimes the sandbox is killed first. Either way the handler itself was cut off.
    const fn = await plain.start({ timeoutMs: 1000 })
    const result = await fn.invoke({ workMs: 5000 })

    expect(['error', 'timeout']).toContain(result.status)
    if (result.status === 'error') {
      expect(result.error?.errorType).toBe('TimeoutError')
      expect(result.marginMs).toBeLessThan(10)
    }
    expect(linesWith(result.logs, 'finally ran')).toEqual([])
  })

  it('fails an invocation whose handler cannot be loaded with the init error, and tries a fresh process next time', async () => {
    const fn = await bare.start({ handler: 'index.missing', timeoutMs: 1000 })
    const first = await fn.invoke({})
    const second = await fn.invoke({})
    expect(first.status).toBe('error')
    expect(first.error?.errorType).toBe('Runtime.HandlerNotFound')
    expect([first.coldStart, second.coldStart]).toEqual([true, true])
    expect(fn.processesStarted).toBe(2)
  })

  it('keeps one warm process between invocations and answers each with its own request id', async () => {
    const fn = await plain.start({ timeoutMs: 1000 })
    const first = await fn.invoke<Probe>({})
    const second = await fn.invoke<Probe>({})
    expect([first.coldStart, second.coldStart]).toEqual([true, false])
    expect(first.response?.requestId).toBe(first.requestId)
    expect(second.response?.requestId).toBe(second.requestId)
    expect(linesWith(second.logs, `finally ran for ${second.requestId}`)).toHaveLength(1)
    expect(linesWith(second.logs, first.requestId)).toEqual([])
    expect(fn.processesStarted).toBe(1)
  })

  it('freezes the process between invocations: a timer left by one invocation fires inside the next', async () => {
    const fn = await plain.start({ timeoutMs: 1000 })
    const first = await fn.invoke({ leaveTimerMs: 100 })
    // Frozen, the process cannot run the timer now, however long we wait...
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(linesWith(fn.logs, 'stray timer')).toEqual([])
    // ...so it fires as soon as the next invocation thaws it, and lands in that invocation's logs.
    const second = await fn.invoke({ workMs: 100 })
    expect(linesWith(first.logs, 'stray timer')).toEqual([])
    expect(linesWith(second.logs, `stray timer from ${first.requestId}`)).toHaveLength(1)
  })
})

describe('the shared deadline under the real runtime', () => {
  it("is context.deadline and currentDeadline(), with the hard deadline Lambda gave; kept in the runtime's store on Node 22, in our own async context on Node 24", async () => {
    const fn = await withDeadline.start({ timeoutMs: 1000 })
    const { response: probe, deadlineAt, requestId } = await fn.invoke<Probe>({ workMs: 20 })

    // One invocation at a time the runtime's store is a plain variable: where an AsyncLocalStorage
    // is cheap (Node 24) the deadline lives in one of our own instead (docs/deadline.md).
    const ownContext = Number(probe?.node.slice(1).split('.')[0]) >= 24
    expect(probe).toMatchObject({
      requestId,
      contextDeadline: requestId,
      currentDeadline: requestId,
      sameObject: true,
      inInvokeStore: !ownContext,
      invokeStoreRequestId: requestId,
      fallbackStorageCreated: ownContext,
    })
    expectSameDeadline(probe?.hardDeadlineAt, deadlineAt)
  })

  it('releases its cutoff timer at the end: unlike a plain setTimeout, nothing of it acts in the next (thawed) invocation', async () => {
    const fn = await withDeadline.start({ timeoutMs: 600 })
    // Cutoff at 600 - 200 = 400 ms; both the listener and a plain timer are due then.
    const first = await fn.invoke({ leaveCutoffListener: true, leaveTimerMs: 400 })
    await new Promise((resolve) => setTimeout(resolve, 500))
    const second = await fn.invoke({ workMs: 100 })

    expect(linesWith(second.logs, `stray timer from ${first.requestId}`)).toHaveLength(1)
    expect(linesWith(second.logs, 'cutoff listener')).toEqual([])
    expect(linesWith(fn.logs, 'cutoff listener')).toEqual([])
  })

  it('reaches the cutoff of a slow invocation inside it, 200 ms before the hard deadline', async () => {
    const fn = await withDeadline.start({ timeoutMs: 600 })
    const slow = await fn.invoke({ leaveCutoffListener: true, workMs: 450 })
    expect(slow.status).toBe('ok')
    expect(linesWith(slow.logs, `cutoff listener from ${slow.requestId}`)).toHaveLength(1)
  })
})

describe('multi-concurrency (AWS_LAMBDA_MAX_CONCURRENCY)', () => {
  it('runs several invocations at once in one process, each finding its own deadline after its awaits', async () => {
    const fn = await withDeadline.start({ timeoutMs: 1500, maxConcurrency: 4 })
    const results = await Promise.all([
      fn.invoke<Probe>({ workMs: 300 }, { timeoutMs: 1500 }),
      fn.invoke<Probe>({ workMs: 100 }, { timeoutMs: 800 }),
      fn.invoke<Probe>({ workMs: 200 }, { timeoutMs: 1200 }),
      fn.invoke<Probe>({ workMs: 50 }, { timeoutMs: 600 }),
    ])

    expect(fn.processesStarted).toBe(1)
    for (const result of results) {
      expect(result.status).toBe('ok')
      expect(result.response).toMatchObject({
        requestId: result.requestId,
        currentDeadline: result.requestId,
        sameObject: true,
        inInvokeStore: true,
        invokeStoreRequestId: result.requestId,
        fallbackStorageCreated: false,
      })
      expectSameDeadline(result.response?.hardDeadlineAt, result.deadlineAt)
      expect(linesWith(result.logs, 'finally ran for')).toEqual([expect.stringContaining(result.requestId)])
    }
    // They overlapped: every one was handed out before the first one finished.
    const timeouts = [1500, 800, 1200, 600]
    const handedOut = results.map((r, i) => r.deadlineAt - (timeouts[i] as number))
    const finished = results.map((r, i) => (handedOut[i] as number) + r.durationMs)
    expect(Math.max(...handedOut)).toBeLessThan(Math.min(...finished))
  })

  it('reports a timed-out invocation without stopping the process or the others, as Managed Instances do', async () => {
    const fn = await bare.start({ timeoutMs: 1000, maxConcurrency: 2 })
    const [overrun, fine] = await Promise.all([fn.invoke({ workMs: 1500 }, { timeoutMs: 500 }), fn.invoke<Probe>({ workMs: 800 })])
    expect(overrun.status).toBe('timeout')
    expect(fine.status).toBe('ok')
    // The overrun kept running in the same process: its finally shows in the log stream later.
    const next = await fn.invoke<Probe>({ workMs: 900 })
    expect(next.coldStart).toBe(false)
    expect(fn.processesStarted).toBe(1)
    expect(linesWith(fn.logs, `finally ran for ${overrun.requestId}`)).toHaveLength(1)
  })
})
