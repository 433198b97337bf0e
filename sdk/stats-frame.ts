// Builds stats frames from a getStats() result. Data minimisation starts at the source:
// only the report types the pipeline uses are sent (no certificates, no data channels).
// Each frame also carries the interval counters of the snapshot before it (`previous`), so
// the processor can compute per-interval rates from the frame alone.
import type { CallContext, StatsFrame, StatsReport } from '../schemas/frames.ts'
import { intervalInputFields, intervalReportTypes } from '../schemas/interval-fields.ts'

export const sentReportTypes: ReadonlySet<string> = new Set([
  'inbound-rtp',
  'outbound-rtp',
  'remote-inbound-rtp',
  'remote-outbound-rtp',
  'candidate-pair',
  'local-candidate',
  'remote-candidate',
  'transport',
  'media-source',
  'media-playout',
  'codec',
])

type RawReports = Iterable<Record<string, unknown>> | Map<string, Record<string, unknown>>

/** Accepts a browser RTCStatsReport (maplike, not a Map: its iterator yields entries), a Map or an array. */
export function selectReports(reports: RawReports): StatsReport[] {
  const values: Iterable<Record<string, unknown>> =
    typeof (reports as { values?: unknown }).values === 'function' ? (reports as Map<string, Record<string, unknown>>).values() : (reports as Iterable<Record<string, unknown>>)
  const selected: StatsReport[] = []
  for (const report of values) {
    if (typeof report['type'] === 'string' && sentReportTypes.has(report['type'])) selected.push(report as StatsReport)
  }
  return selected
}

/** The rtp reports of one snapshot, trimmed to what an interval needs. */
export function intervalSnapshot(reports: readonly StatsReport[]): StatsReport[] {
  const trimmed: StatsReport[] = []
  for (const report of reports) {
    if (!intervalReportTypes.has(report.type)) continue
    const kept: StatsReport = { id: report.id, type: report.type, timestamp: report.timestamp }
    for (const field of intervalInputFields) if (report[field] !== undefined) kept[field] = report[field]
    trimmed.push(kept)
  }
  return trimmed
}

/**
 * `previous`: the snapshot before this one of the same peer connection, `[]` for its first
 * (which tells the server this SDK sends intervals), undefined to send none.
 */
export function buildStatsFrame(seq: number, ts: number, call: CallContext, reports: RawReports, previous?: readonly StatsReport[]): StatsFrame {
  const frame: StatsFrame = { type: 'stats', seq, ts, call, reports: selectReports(reports) }
  if (previous) frame.previous = intervalSnapshot(previous)
  return frame
}
