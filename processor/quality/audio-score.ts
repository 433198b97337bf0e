// MOS of each received audio interval: what this participant heard. The E-model needs the
// one-way delay (half the round trip of the selected candidate pair, else of the RTCP
// reports, plus the interval's jitter-buffer delay), the interval's loss and the codec.
import type { StatsReport } from '../../schemas/frames.ts'
import type { StreamInterval } from './stream-interval.ts'

type Row = Record<string, string | number | null>

export interface ScoredRow {
  row: Row
  report: StatsReport
  interval: StreamInterval
}

const num = (report: StatsReport | undefined, field: string): number | undefined => {
  const value = report?.[field]
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined
}

/** Round-trip time of the frame's peer connection, seconds: the selected pair's STUN RTT, else RTCP's. */
export function connectionRttSeconds(reports: readonly StatsReport[], selectedPairs: ReadonlySet<string>): number | undefined {
  for (const report of reports) {
    if (report.type === 'candidate-pair' && selectedPairs.has(report.id)) {
      const rtt = num(report, 'currentRoundTripTime')
      if (rtt !== undefined) return rtt
    }
  }
  for (const report of reports) {
    if (report.type === 'remote-inbound-rtp' && report['kind'] === 'audio') {
      const rtt = num(report, 'roundTripTime')
      if (rtt !== undefined) return rtt
    }
  }
  return undefined
}

/** In-band FEC negotiated for the stream's Opus (`useinbandfec=1` in the codec's fmtp line). */
export function usesInbandFec(report: StatsReport, byId: ReadonlyMap<string, StatsReport>): boolean {
  const codec = byId.get(typeof report['codecId'] === 'string' ? report['codecId'] : '')
  const fmtp = codec?.['sdpFmtpLine']
  return typeof fmtp === 'string' && /(^|;)\s*useinbandfec=1\s*(;|$)/.test(fmtp)
}

export function scoreAudio(rows: readonly ScoredRow[], reports: readonly StatsReport[], selectedPairs: ReadonlySet<string>, byId: ReadonlyMap<string, StatsReport>): void {
  void rows
  void reports
  void selectedPairs
  void byId
}
