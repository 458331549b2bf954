/** A line longer than this is skipped (and counted): CloudWatch's own limit for an event is 256 KB. */
export const MAX_LINE_CHARS = 1 << 20

/**
 * Splits a stream of text or bytes into lines (`\n` or `\r\n`), in bounded memory: a line that
 * grows past `maxChars` is dropped as it streams in and reported through `onTooLong`.
 */
export async function* linesOf(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  onTooLong: () => void,
  maxChars = MAX_LINE_CHARS,
): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let rest = ''
  let skipping = false
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    let start = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const piece = text.slice(start, end)
      start = end + 1
      if (skipping) {
        skipping = false
        rest = ''
        continue
      }
      const line = rest + piece
      rest = ''
      if (line.length > maxChars) {
        onTooLong()
        continue
      }
      yield line.endsWith('\r') ? line.slice(0, -1) : line
    }
    if (skipping) continue
    rest += text.slice(start)
    if (rest.length > maxChars) {
      onTooLong()
      rest = ''
      skipping = true
    }
  }
  const last = rest + decoder.decode()
  if (!skipping && last !== '') yield last.endsWith('\r') ? last.slice(0, -1) : last
}
