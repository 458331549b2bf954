// A CloudWatch Logs client scripted answer by answer, for the log group reader's tests
// (log-group.test.ts, edges.test.ts): each case gets exactly the pages and errors it needs.

export type Answer = { events?: unknown[]; nextToken?: string } | { throws: unknown }

/** A client that answers each FilterLogEvents with the next of `answers` (a page, or a value to throw). */
export function scripted(answers: Answer[]) {
  const inputs: Record<string, unknown>[] = []
  const client = {
    send: async (command: unknown) => {
      inputs.push((command as { input: Record<string, unknown> }).input)
      const answer = answers.shift()
      if (answer !== undefined && 'throws' in answer) throw answer.throws
      return answer ?? {}
    },
  }
  return { client, inputs }
}
