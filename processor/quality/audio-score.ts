// MOS of each received audio interval: what this participant heard. The E-model needs the
// one-way delay (half the round trip of the selected candidate pair, else of the RTCP
// reports, plus the interval's jitter-buffer delay), the interval's loss and the codec.
import type { StatsReport } from '../../schemas/frames.ts'
import { codecNameFromStats, estimateMos, seconds } from './e-model.ts'
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

/**
 * Sets `connection_rtt` on every rtp row of the frame and `mos` on each received audio
 * interval that has its loss, its jitter-buffer delay, a round-trip time and a known codec.
 */
export function scoreAudio(rows: readonly ScoredRow[], reports: readonly StatsReport[], selectedPairs: ReadonlySet<string>, byId: ReadonlyMap<string, StatsReport>): void {
  const rtt = connectionRttSeconds(reports, selectedPairs)
  for (const { row, report, interval } of rows) {
    row['connection_rtt'] = rtt ?? null
    row['mos'] = null
    if (report.type !== 'inbound-rtp' || report['kind'] !== 'audio' || interval.state !== 'ok') continue
    if (rtt === undefined || interval.lossFraction === null || interval.jitterBufferDelayS === null) continue
    const codecReport = byId.get(typeof report['codecId'] === 'string' ? report['codecId'] : '')
    const mimeType = typeof codecReport?.['mimeType'] === 'string' ? codecReport['mimeType'] : ''
    const fmtp = typeof codecReport?.['sdpFmtpLine'] === 'string' ? codecReport['sdpFmtpLine'] : ''
    const codec = codecNameFromStats(mimeType, fmtp)
    if (!codec) continue
    const estimate = estimateMos({
      codec,
      rttSeconds: seconds(rtt),
      jitterBufferDelaySeconds: seconds(interval.jitterBufferDelayS),
      loss: { lossFraction: interval.lossFraction },
    })
    if (estimate.computable) row['mos'] = estimate.mos
  }
}
