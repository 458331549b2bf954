import { writeSync } from 'node:fs'

/**
 * A child's result goes to file descriptor 3, so that its stdout can go where a Lambda function's
 * logs go (the parent points it at /dev/null) without mixing with the figures. Run by hand, with
 * no fd 3, the result is printed on stdout instead.
 */
export function writeResult(result) {
  const line = `${JSON.stringify(result)}\n`
  try {
    writeSync(3, line)
  } catch {
    process.stdout.write(line)
  }
}
