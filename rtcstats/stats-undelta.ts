// Undoes the getstats delta compression of rtcstats, one peer connection at a time.
//
// The compressor (jitsi/rtcstats `rtcstats.js`, deltaCompression) sends the first getStats()
// of a peer connection whole; each later one carries every report id of the new result, but
// only the fields whose value changed (compared with ===, so objects and arrays are sent
// whole), without `id`. The newest report time is lifted to a top-level `timestamp` key and
// every report stamped with it gets `timestamp: 0`; a report whose time did not change has
// no `timestamp` at all. The reverse is fippo/rtcstats-server `getstats-deltacompression.js`
// (decompress): 0 means the top-level time, absent means the previous one. That decompressor
// never forgets a report; but the compressor sends every id of the new result, so an id
// missing from a line is a report the browser no longer returns (an old candidate pair after
// an ICE restart, a stopped stream), and it is dropped here, so that its stale counters do
// not look like live ones.
//
// rtcstats file format 3 (rtcstats/rtcstats `packages/rtcstats-shared/compression.js`,
// statsDecompression) differs: it leaves out unchanged reports entirely and marks removed
// ones with `null`; its report types may be numbers from a table (decoded below).
import { lineProblems, RtcstatsLineError } from './dump-errors.ts'
import type { DumpLayout } from './dump-line.ts'

export type RtcReport = Record<string, unknown> & { id: string; timestamp: number }
export type StatsReports = ReadonlyMap<string, RtcReport>

// rtcstats/rtcstats compression.js statsTypeTable (W3C RTCStatsType, numbered).
const compressedTypes = ['', 'inbound-rtp', 'outbound-rtp', 'remote-inbound-rtp', 'remote-outbound-rtp', 'transport', 'candidate-pair', 'local-candidate', 'remote-candidate', 'data-channel', 'peer-connection', 'certificate', 'media-source', 'media-playout', 'codec']

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

export interface UndeltaResult {
  reports: Map<string, RtcReport>
  /** When getStats() resolved: the top-level time, else the newest report time, else the line's. */
  ts: number
}

/**
 * The full getStats() result of a line, from the previous full result of the same peer
 * connection (undefined for the first) and the line's payload. Neither input is modified.
 */
export function undeltaStats(base: StatsReports | undefined, payload: unknown, lineTime: number | undefined, line: number, layout: DumpLayout): UndeltaResult {
  if (!isObject(payload)) throw new RtcstatsLineError(line, lineProblems.statsNotObject)
  const top = payload['timestamp']
  let ts = typeof top === 'number' && Number.isFinite(top) && top > 0 ? top : undefined
  const v3 = layout === 'rtcstats-v3'
  const reports = new Map<string, RtcReport>()
  // Whose time is the line's time: jitsi marks them with 0, format 3 leaves the field out.
  const stampedNow: RtcReport[] = []
  // Format 3 leaves unchanged reports out: they carry on, stamped with the line's time.
  if (v3 && base) {
    for (const [id, report] of base) {
      const copy = { ...report }
      reports.set(id, copy)
      stampedNow.push(copy)
    }
  }
  for (const [id, delta] of Object.entries(payload)) {
    if (id === 'timestamp') continue
    if (delta === null && v3) {
      reports.delete(id)
      continue
    }
    if (!isObject(delta)) throw new RtcstatsLineError(line, lineProblems.reportNotObject)
    const report = { ...base?.get(id), ...delta, id } as RtcReport
    if (typeof report['type'] === 'number') report['type'] = compressedTypes[report['type']] ?? String(report['type'])
    const ownTime = delta['timestamp']
    if (ownTime === 0 || typeof report.timestamp !== 'number' || (v3 && ownTime === undefined)) stampedNow.push(report)
    reports.set(id, report)
  }
  if (ts === undefined) {
    let newest = -Infinity
    for (const report of reports.values()) if (typeof report.timestamp === 'number' && report.timestamp > newest) newest = report.timestamp
    ts = !v3 && Number.isFinite(newest) && newest > 0 ? newest : lineTime ?? 0
  }
  for (const report of stampedNow) if (reports.get(report.id) === report) report.timestamp = ts
  return { reports, ts }
}
