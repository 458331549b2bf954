/**
 * A child's result goes to file descriptor 3, so that its stdout can go where a Lambda function's
 * logs go (the parent points it at /dev/null) without mixing with the figures. Run by hand, with
 * no fd 3, the result is printed on stdout instead.
 *
 * node:fs is taken from the process when the result is written, not imported: an import of it
 * would build its ESM facade before the import-time child starts its clock, and hide what a
 * package that imports node:fs costs (docs/performance.md).
 */
export function writeResult(result) {
  const line = `${JSON.stringify(result)}\n`
  try {
    process.getBuiltinModule('node:fs').writeSync(3, line)
  } catch {
    process.stdout.write(line)
  }
}
