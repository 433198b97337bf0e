// Builds stats frames from a getStats() result. Data minimisation starts at the source:
// only the report types the pipeline uses are sent (no certificates, no data channels).
import type { CallContext, StatsFrame, StatsReport } from '../schemas/frames.ts'

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

/** Accepts a browser RTCStatsReport (a Map) or an array of its values. */
export function selectReports(reports: Iterable<Record<string, unknown>> | Map<string, Record<string, unknown>>): StatsReport[] {
  const values = reports instanceof Map ? reports.values() : reports
  const selected: StatsReport[] = []
  for (const report of values) {
    if (typeof report['type'] === 'string' && sentReportTypes.has(report['type'])) selected.push(report as StatsReport)
  }
  return selected
}

export function buildStatsFrame(seq: number, ts: number, call: CallContext, reports: Iterable<Record<string, unknown>>): StatsFrame {
  return { type: 'stats', seq, ts, call, reports: selectReports(reports) }
}
