// Time ranges of analyst queries: ISO 8601 `from` and `to`, `from` before `to`, at most
// `maxDays` long. Unset: the last hour.
export interface TimeRange {
  fromMs: number
  toMs: number
}

export const timeRangeQuerySchema = {
  from: { type: 'string', format: 'date-time', description: 'ISO 8601; default: an hour before `to`' },
  to: { type: 'string', format: 'date-time', description: 'ISO 8601; default: now' },
} as const

export class TimeRangeError extends Error {}

export function parseTimeRange(query: { from?: string; to?: string }, maxDays: number, now = Date.now()): TimeRange {
  const toMs = query.to ? Date.parse(query.to) : now
  const fromMs = query.from ? Date.parse(query.from) : toMs - 3_600_000
  if (!(fromMs < toMs)) throw new TimeRangeError('`from` must be before `to`')
  if (toMs - fromMs > maxDays * 86_400_000) throw new TimeRangeError(`a time range may span at most ${maxDays} days`)
  return { fromMs, toMs }
}
