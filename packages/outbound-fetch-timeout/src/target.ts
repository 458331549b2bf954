import { callGuarded, isInstance, readSafely, recordName, redactUrls, warnOnFailure } from '@middy-deadline/deadline/internal'
import type { OutboundTarget } from './errors.js'
import { PACKAGE } from './options.js'

/**
 * How a call's URL is shown in records and errors. By default its origin only
 * (`https://hooks.slack.com`): a path often carries an identifier or a secret (Slack's
 * `/services/T000/B000/XXXX`, a presigned object key), and nothing in a URL says which part is one.
 * `describeTarget` shows more; whatever it returns, credentials, query string and fragment are
 * removed, and the text is cut to a record's name length.
 */
export type DescribeTarget = (url: URL) => string

export function describeUrl(url: URL, describe: DescribeTarget | undefined): string {
  if (describe === undefined) return url.origin
  const text = callGuarded(describe, undefined, [url], describeFailed)
  return typeof text === 'string' ? (recordName(redactUrls(text)) as string) : url.origin
}

const describeFailed = warnOnFailure('describe-target', PACKAGE, 'describeTarget failed; the origin is shown instead', false)

/** Method, host and URL (as `describeTarget` shows it) of a fetch call. */
export function targetOf(
  input: string | URL | Request,
  init: RequestInit | undefined,
  describe: DescribeTarget | undefined,
): OutboundTarget {
  const method = (init?.method ?? (isInstance(input, Request) ? (input as Request).method : 'GET')).toUpperCase()
  try {
    const url = new URL(hrefOf(input))
    return { label: url.host, method, url: describeUrl(url, describe) }
  } catch {
    // fetch itself rejects such a URL; the error must not repeat it (it may hold a token).
    return { label: 'invalid URL', method, url: undefined }
  }
}

export function hrefOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : isInstance(input, URL) ? (input as URL).href : (input as Request).url
}

// Causes of a platform error rarely go deeper; the bound also stops a cycle.
const MAX_DEPTH = 3

/**
 * The error a `fetch` raised for this call without the call's URL in it, where the URL carries
 * something we never show (credentials, query string, fragment) or cannot be parsed: Node's own
 * `Request cannot be constructed from a URL that includes credentials: https://user:pass@…`,
 * `Failed to parse URL from …` and its cause's `input`. The URL is replaced by what records show
 * (`shown`); such an error is rebuilt (same name, `code` and message otherwise, causes likewise,
 * no `input`). Any other error is returned as it is, the very object.
 */
export function withoutUrlSecrets(error: unknown, input: string | URL | Request, shown: string | undefined): unknown {
  let href: string
  try {
    href = hrefOf(input)
  } catch {
    return error
  }
  const secret = secretForms(href)
  if (!mentions(error, secret, 0)) return error
  const scrub = (text: string) => redactUrls(secret.reduce((result, form) => result.replaceAll(form, shown ?? '[invalid URL]'), text))
  return rebuilt(error, scrub, 0)
}

/** The forms in which `href` may appear in an error, if it holds something we never show. */
function secretForms(href: string): string[] {
  try {
    const url = new URL(href)
    // A fragment, even an empty one (`url.hash` is then ''), is told by its `#`.
    if (url.username === '' && url.password === '' && url.search === '' && !href.includes('#')) return []
    // Both non-empty: `new URL` refuses an empty string.
    return [...new Set([href, url.href])]
  } catch {
    return href === '' ? [] : [href]
  }
}

function mentions(error: unknown, forms: string[], depth: number): boolean {
  if (typeof error === 'string') return forms.some((form) => error.includes(form))
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return false
  return (
    ['message', 'stack', 'input'].some((key) => mentions(readSafely(error, key), forms, MAX_DEPTH + 1)) ||
    mentions(readSafely(error, 'cause'), forms, depth + 1)
  )
}

function rebuilt(error: unknown, scrub: (text: string) => string, depth: number): unknown {
  if (typeof error === 'string') return scrub(error)
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return undefined
  const message = readSafely(error, 'message')
  const cause = readSafely(error, 'cause')
  const copy = new (isInstance(error, TypeError) ? TypeError : Error)(
    typeof message === 'string' ? scrub(message) : '',
    cause === undefined ? undefined : { cause: rebuilt(cause, scrub, depth + 1) },
  )
  const name = readSafely(error, 'name')
  if (typeof name === 'string') copy.name = name
  const code = readSafely(error, 'code')
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code })
  return copy
}
