import middy from '@middy/core'
import type { DeadlineContext } from '@middy-deadline/deadline'
import { invokeWithTimeout } from '@middy-deadline/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { captureStdout } from '../../../test/support/output.js'

// What fd 1 is and how it takes bytes, made up: a pipe that a reader drains between our retries, or
// one that stays full, cannot be timed with a real reader (write.test.ts runs the real ones in a
// child process). The record goes through the same code either way: graceful-timeout takes node:fs
// from process.getBuiltinModule, which the test answers with this fd 1.
type Answer = number | 'EAGAIN'
interface Fd1 {
  kind: 'pipe' | 'socket' | 'file' | 'closed'
  /** How many bytes the n-th write takes (capped at what is offered), or EAGAIN (the pipe is full). */
  takes?: (attempt: number) => Answer
}

const getBuiltinModule = process.getBuiltinModule
afterEach(() => {
  Object.defineProperty(process, 'getBuiltinModule', { value: getBuiltinModule, configurable: true, writable: true })
  vi.resetModules()
})

/** Writes one timeout record with fd 1 as given; says what reached fd 1 directly and what went through `process.stdout`. */
async function recordWrittenTo(fd1: Fd1, queuedInStream = 0): Promise<{ line: string; direct: string; stream: string[] }> {
  const direct: Buffer[] = []
  let attempt = 0
  const fs = {
    fstatSync(fd: number) {
      if (fd !== 1 || fd1.kind === 'closed') throw Object.assign(new Error('EBADF: bad file descriptor, fstat'), { code: 'EBADF' })
      return { isFIFO: () => fd1.kind === 'pipe', isSocket: () => fd1.kind === 'socket' }
    },
    writeSync(fd: number, bytes: Buffer, offset = 0) {
      expect(fd).toBe(1)
      const taken = fd1.takes?.(attempt++) ?? Number.POSITIVE_INFINITY
      if (taken === 'EAGAIN') throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' })
      const chunk = bytes.subarray(offset, offset + taken)
      direct.push(chunk)
      return chunk.length
    },
  }
  Object.defineProperty(process, 'getBuiltinModule', {
    value: (id: string) => (id === 'node:fs' ? fs : getBuiltinModule(id as 'node:os')),
    configurable: true,
    writable: true,
  })
  // A fresh copy of the package: what fd 1 is, it looks up once per process.
  vi.resetModules()
  const { gracefulTimeout } = await import('@middy-deadline/graceful-timeout')
  const handler = middy(async (_event: unknown, context: DeadlineContext) => {
    await new Promise((resolve) => context.deadline.signal.addEventListener('abort', resolve))
  }).use(gracefulTimeout({ reserveMs: 200, timeoutResponse: () => 'timed out' }))
  const queued = vi.spyOn(process.stdout, 'writableLength', 'get').mockReturnValue(queuedInStream)
  const stdout = captureStdout()
  try {
    await invokeWithTimeout(handler, {}, { timeoutMs: 400, awsRequestId: 'req-fd1' })
  } finally {
    stdout.restore()
    queued.mockRestore()
  }
  const stream = stdout.chunks
  const line = Buffer.concat(direct).toString() + stream.join('')
  return { line, direct: Buffer.concat(direct).toString(), stream }
}

/** The record, checked to be one whole JSON line of this invocation. */
function expectOneRecord(line: string): void {
  expect(line.endsWith('\n')).toBe(true)
  expect(line.indexOf('\n')).toBe(line.length - 1)
  expect(JSON.parse(line)).toMatchObject({ requestId: 'req-fd1', package: '@middy-deadline/graceful-timeout' })
}

describe('the timeout record on stdout', () => {
  it('is written straight to fd 1 when it is a pipe or a socket, and nothing goes through the stream', async () => {
    for (const kind of ['pipe', 'socket'] as const) {
      const { line, direct, stream } = await recordWrittenTo({ kind })
      expectOneRecord(line)
      expect(direct, kind).toBe(line)
      expect(stream, kind).toEqual([])
    }
  })

  it('goes through process.stdout when fd 1 is a file (Node writes those synchronously) or cannot be looked at', async () => {
    for (const kind of ['file', 'closed'] as const) {
      const { line, direct, stream } = await recordWrittenTo({ kind })
      expectOneRecord(line)
      expect(direct, kind).toBe('')
      expect(stream, kind).toEqual([line])
    }
  })

  it('goes through process.stdout when the stream still holds output, so that it never lands inside a half-written line', async () => {
    const { line, direct, stream } = await recordWrittenTo({ kind: 'pipe' }, 4096)
    expectOneRecord(line)
    expect(direct).toBe('')
    expect(stream).toEqual([line])
  })

  it('reaches fd 1 whole and in order while a reader drains a full pipe between the retries', async () => {
    // Full every other attempt; 16 bytes at a time otherwise.
    const { line, direct, stream } = await recordWrittenTo({ kind: 'pipe', takes: (attempt) => (attempt % 2 === 0 ? 'EAGAIN' : 16) })
    expectOneRecord(line)
    expect(direct).toBe(line)
    expect(stream).toEqual([])
  })

  it('hands the rest to process.stdout, once, when the pipe stays full: nothing lost, nothing twice', async () => {
    const { line, direct, stream } = await recordWrittenTo({ kind: 'pipe', takes: (attempt) => (attempt === 0 ? 16 : 'EAGAIN') })
    expectOneRecord(line)
    expect(direct).toBe(line.slice(0, 16))
    expect(stream).toEqual([line.slice(16)])
  })
})
