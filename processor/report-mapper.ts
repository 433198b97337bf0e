// Maps one data frame, already minimised and pseudonymised by the policy, to table rows.
// Only the fields named here become columns. Candidate addresses are truncated again as a
// guard, so the `*_truncated` columns never hold a whole address whatever the policy says.
import type { CallContext, EventFrame, StatsFrame, StatsReport } from '../schemas/frames.ts'
import { truncateIp } from './pii/ip-detector.ts'

export const rtpReportTypes = new Set(['inbound-rtp', 'outbound-rtp', 'remote-inbound-rtp', 'remote-outbound-rtp'])

/** Column <- W3C field, for the numeric metrics of rtp_samples. */
const rtpMetricFields = {
  packets_received: 'packetsReceived',
  packets_lost: 'packetsLost',
  packets_sent: 'packetsSent',
  bytes_received: 'bytesReceived',
  bytes_sent: 'bytesSent',
  jitter: 'jitter',
  round_trip_time: 'roundTripTime',
  fraction_lost: 'fractionLost',
  nack_count: 'nackCount',
  pli_count: 'pliCount',
  fir_count: 'firCount',
  frames_encoded: 'framesEncoded',
  frames_decoded: 'framesDecoded',
  frames_dropped: 'framesDropped',
  frames_per_second: 'framesPerSecond',
  frame_width: 'frameWidth',
  frame_height: 'frameHeight',
  freeze_count: 'freezeCount',
  total_freezes_duration: 'totalFreezesDuration',
  concealed_samples: 'concealedSamples',
  total_samples_received: 'totalSamplesReceived',
  jitter_buffer_delay: 'jitterBufferDelay',
  jitter_buffer_emitted_count: 'jitterBufferEmittedCount',
  target_bitrate: 'targetBitrate',
  retransmitted_packets_sent: 'retransmittedPacketsSent',
  retransmitted_packets_received: 'retransmittedPacketsReceived',
} as const

const pairMetricFields = {
  current_round_trip_time: 'currentRoundTripTime',
  total_round_trip_time: 'totalRoundTripTime',
  available_outgoing_bitrate: 'availableOutgoingBitrate',
  available_incoming_bitrate: 'availableIncomingBitrate',
  bytes_sent: 'bytesSent',
  bytes_received: 'bytesReceived',
  packets_sent: 'packetsSent',
  packets_received: 'packetsReceived',
} as const

export type Row = Record<string, string | number | null>

export interface FrameRows {
  rtp_samples: Row[]
  connection_samples: Row[]
  call_events: Row[]
}

export const tableNames = ['rtp_samples', 'connection_samples', 'call_events'] as const
export type TableName = (typeof tableNames)[number]

export interface FrameSource {
  tenant: string
  sessionId: string
  seq: number
  retentionDays: number
}

export interface CallContextColumns {
  conference_id: string
  participant_id: string
  display_name: string
  peer_connection_id: string
}

export function callContextColumns(call: Partial<CallContext>): CallContextColumns {
  return {
    conference_id: call.conferenceId ?? '',
    participant_id: call.participantId ?? '',
    display_name: call.displayName ?? '',
    peer_connection_id: call.peerConnectionId ?? '',
  }
}

const num = (report: StatsReport, field: string): number | null => {
  const value = report[field]
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}
const str = (report: StatsReport | undefined, field: string): string => {
  const value = report?.[field]
  return typeof value === 'string' ? value : ''
}

function baseColumns(source: FrameSource, ts: number, context: CallContextColumns): Row {
  return {
    tenant: source.tenant,
    ts: Math.round(ts),
    retention_days: source.retentionDays,
    ...context,
    session_id: source.sessionId,
    seq: source.seq,
  }
}

export function mapStatsFrame(frame: StatsFrame, source: FrameSource): FrameRows {
  const context = callContextColumns(frame.call)
  const rows: FrameRows = { rtp_samples: [], connection_samples: [], call_events: [] }
  const byId = new Map<string, StatsReport>()
  for (const report of frame.reports) byId.set(report.id, report)
  for (const report of frame.reports) {
    if (rtpReportTypes.has(report.type)) {
      const row = baseColumns(source, frame.ts, context)
      row['report_type'] = report.type
      row['report_id'] = report.id
      row['kind'] = str(report, 'kind')
      row['ssrc'] = num(report, 'ssrc') ?? 0
      row['mid'] = str(report, 'mid')
      row['codec'] = str(byId.get(str(report, 'codecId')), 'mimeType')
      for (const [column, field] of Object.entries(rtpMetricFields)) row[column] = num(report, field)
      row['quality_limitation_reason'] = str(report, 'qualityLimitationReason')
      rows.rtp_samples.push(row)
    } else if (report.type === 'candidate-pair') {
      const local = byId.get(str(report, 'localCandidateId'))
      const remote = byId.get(str(report, 'remoteCandidateId'))
      const row = baseColumns(source, frame.ts, context)
      row['pair_id'] = report.id
      row['state'] = str(report, 'state')
      row['nominated'] = report['nominated'] === true ? 1 : 0
      for (const [column, field] of Object.entries(pairMetricFields)) row[column] = num(report, field)
      row['local_candidate_type'] = str(local, 'candidateType')
      row['remote_candidate_type'] = str(remote, 'candidateType')
      // Candidate addresses are never stored whole: IPv4 /24, IPv6 /48.
      row['local_address_truncated'] = truncateIp(str(local, 'address') || str(local, 'ip'))
      row['remote_address_truncated'] = truncateIp(str(remote, 'address') || str(remote, 'ip'))
      row['protocol'] = str(local, 'protocol')
      row['network_type'] = str(local, 'networkType')
      row['relay_protocol'] = str(local, 'relayProtocol')
      rows.connection_samples.push(row)
    }
  }
  return rows
}

/** States and media kinds are enumerations we keep; any other text value is dropped. */
const keptEventTexts = new Set([
  'new', 'checking', 'connected', 'completed', 'disconnected', 'failed', 'closed', 'connecting',
  'audio', 'video', 'screen',
])

export function mapEventFrame(frame: EventFrame, source: FrameSource): FrameRows {
  const row = baseColumns(source, frame.ts, callContextColumns(frame.call))
  row['name'] = frame.name
  row['value_text'] = typeof frame.value === 'string' && keptEventTexts.has(frame.value) ? frame.value : ''
  row['value_number'] = typeof frame.value === 'number' && Number.isFinite(frame.value) ? frame.value : null
  return { rtp_samples: [], connection_samples: [], call_events: [row] }
}
