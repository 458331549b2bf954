// A cache of the formatted minute, shared by the whole process: a pure function's memo, not state.
let minute = Number.NaN
let minutePrefix = ''

/**
 * `new Date(ms).toISOString()`, for less: only the first record of each minute formats a date, the
 * others append seconds and milliseconds to it (bench/micro.mjs, docs/performance.md, "Speed tricks").
 */
export function isoTimestamp(ms: number): string {
  const thisMinute = Math.floor(ms / 60_000)
  if (thisMinute !== minute) {
    minute = thisMinute
    minutePrefix = new Date(thisMinute * 60_000).toISOString().slice(0, 17)
  }
  const inMinute = ms - thisMinute * 60_000
  const seconds = Math.floor(inMinute / 1000)
  const millis = inMinute % 1000
  return `${minutePrefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
}
