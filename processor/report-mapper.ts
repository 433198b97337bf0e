// Maps one data frame, already minimised and pseudonymised by the policy, to table rows.
// Only the fields named here become columns. Candidate addresses are truncated again as a
// guard, so the `*_truncated` columns never hold a whole address whatever the policy says.
import type { CallContext, EventFrame, StatsFrame, StatsReport } from '../schemas/frames.ts'
import { truncateIp } from './pii/ip-detector.ts'

export const rtpReportTypes = new Set(['inbound-rtp', 'outbound-rtp', 'remote-inbound-rtp', 'remote-outbound-rtp'])

// Column <- W3C field and ClickHouse type, for the numeric metrics. A value that does not
// fit its column (a negative counter, a fraction where an integer belongs, 1e25) becomes
// NULL rather than an insert ClickHouse would refuse for the whole batch.
type NumericType = 'UInt64' | 'Int64' | 'UInt32' | 'Float64'

const rtpMetricFields: Record<string, [field: string, type: NumericType]> = {
  packets_received: ['packetsReceived', 'UInt64'],
  packets_lost: ['packetsLost', 'Int64'],
  packets_sent: ['packetsSent', 'UInt64'],
  bytes_received: ['bytesReceived', 'UInt64'],
  bytes_sent: ['bytesSent', 'UInt64'],
  jitter: ['jitter', 'Float64'],
  round_trip_time: ['roundTripTime', 'Float64'],
  fraction_lost: ['fractionLost', 'Float64'],
  nack_count: ['nackCount', 'UInt64'],
  pli_count: ['pliCount', 'UInt64'],
  fir_count: ['firCount', 'UInt64'],
  frames_encoded: ['framesEncoded', 'UInt64'],
  frames_decoded: ['framesDecoded', 'UInt64'],
  frames_dropped: ['framesDropped', 'UInt64'],
  frames_per_second: ['framesPerSecond', 'Float64'],
  frame_width: ['frameWidth', 'UInt32'],
  frame_height: ['frameHeight', 'UInt32'],
  freeze_count: ['freezeCount', 'UInt64'],
  total_freezes_duration: ['totalFreezesDuration', 'Float64'],
  concealed_samples: ['concealedSamples', 'UInt64'],
  total_samples_received: ['totalSamplesReceived', 'UInt64'],
  jitter_buffer_delay: ['jitterBufferDelay', 'Float64'],
  jitter_buffer_emitted_count: ['jitterBufferEmittedCount', 'UInt64'],
  target_bitrate: ['targetBitrate', 'Float64'],
  retransmitted_packets_sent: ['retransmittedPacketsSent', 'UInt64'],
  retransmitted_packets_received: ['retransmittedPacketsReceived', 'UInt64'],
}

const pairMetricFields: Record<string, [field: string, type: NumericType]> = {
  current_round_trip_time: ['currentRoundTripTime', 'Float64'],
  total_round_trip_time: ['totalRoundTripTime', 'Float64'],
  available_outgoing_bitrate: ['availableOutgoingBitrate', 'Float64'],
  available_incoming_bitrate: ['availableIncomingBitrate', 'Float64'],
  bytes_sent: ['bytesSent', 'UInt64'],
  bytes_received: ['bytesReceived', 'UInt64'],
  packets_sent: ['packetsSent', 'UInt64'],
  packets_received: ['packetsReceived', 'UInt64'],
}

// Kept string columns take only their W3C vocabulary: an app cannot smuggle a name or a
// phone number into `kind` or `state`. Anything else is stored as 'other'.
const vocabularies = {
  kind: new Set(['audio', 'video']),
  pairState: new Set(['frozen', 'waiting', 'in-progress', 'failed', 'succeeded']),
  candidateType: new Set(['host', 'srflx', 'prflx', 'relay']),
  protocol: new Set(['udp', 'tcp']),
  relayProtocol: new Set(['udp', 'tcp', 'tls']),
  networkType: new Set(['bluetooth', 'cellular', 'ethernet', 'wifi', 'wimax', 'vpn', 'unknown']),
  qualityLimitationReason: new Set(['none', 'cpu', 'bandwidth', 'other']),
}
// Codec names registered for RTP that browsers use; any other mimeType is stored as 'other'.
const codecNames = new Set(
  ['opus', 'pcmu', 'pcma', 'g722', 'g729', 'ilbc', 'isac', 'telephone-event', 'cn', 'red', 'ulpfec', 'flexfec-03', 'rtx', 'vp8', 'vp9', 'h264', 'h265', 'av1', 'l16'],
)
function codecColumn(mimeType: string): string {
  if (mimeType === '') return ''
  // Exactly `kind/name`, stored in canonical form: `audio/opus/anna@example.com` is `other`.
  const parts = mimeType.split('/')
  const [kind, name] = parts
  if (parts.length !== 2 || (kind !== 'audio' && kind !== 'video') || name === undefined || !codecNames.has(name.toLowerCase())) return 'other'
  return `${kind}/${canonicalCodecName(name.toLowerCase())}`
}
// The spelling browsers report (RFC 7587 and the RTP payload registry).
const canonicalCodecName = (name: string): string =>
  ({ opus: 'opus', pcmu: 'PCMU', pcma: 'PCMA', g722: 'G722', g729: 'G729', ilbc: 'iLBC', isac: 'ISAC', cn: 'CN', l16: 'L16', vp8: 'VP8', vp9: 'VP9', h264: 'H264', h265: 'H265', av1: 'AV1' })[name] ?? name

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

function numeric(report: StatsReport, field: string, type: NumericType): number | null {
  const value = report[field]
  if (typeof value !== 'number' || !Number.isFinite(value)) return null
  if (type === 'Float64') return value
  if (!Number.isSafeInteger(value)) return null
  if (type === 'Int64') return value
  return value >= 0 && (type === 'UInt64' || value <= 0xffffffff) ? value : null
}
const str = (report: StatsReport | undefined, field: string): string => {
  const value = report?.[field]
  return typeof value === 'string' ? value : ''
}
function oneOf(value: string, vocabulary: ReadonlySet<string>): string {
  return value === '' || vocabulary.has(value) ? value : 'other'
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
      row['kind'] = oneOf(str(report, 'kind'), vocabularies.kind)
      row['ssrc'] = numeric(report, 'ssrc', 'UInt32') ?? 0
      row['mid'] = str(report, 'mid')
      const codec = str(byId.get(str(report, 'codecId')), 'mimeType')
      row['codec'] = codecColumn(codec)
      for (const column in rtpMetricFields) {
        const [field, type] = rtpMetricFields[column]!
        row[column] = numeric(report, field, type)
      }
      row['quality_limitation_reason'] = oneOf(str(report, 'qualityLimitationReason'), vocabularies.qualityLimitationReason)
      rows.rtp_samples.push(row)
    } else if (report.type === 'candidate-pair') {
      const local = byId.get(str(report, 'localCandidateId'))
      const remote = byId.get(str(report, 'remoteCandidateId'))
      const row = baseColumns(source, frame.ts, context)
      row['pair_id'] = report.id
      row['state'] = oneOf(str(report, 'state'), vocabularies.pairState)
      row['nominated'] = report['nominated'] === true ? 1 : 0
      for (const column in pairMetricFields) {
        const [field, type] = pairMetricFields[column]!
        row[column] = numeric(report, field, type)
      }
      row['local_candidate_type'] = oneOf(str(local, 'candidateType'), vocabularies.candidateType)
      row['remote_candidate_type'] = oneOf(str(remote, 'candidateType'), vocabularies.candidateType)
      // Candidate addresses are never stored whole: IPv4 /24, IPv6 /48.
      row['local_address_truncated'] = truncateIp(str(local, 'address') || str(local, 'ip'))
      row['remote_address_truncated'] = truncateIp(str(remote, 'address') || str(remote, 'ip'))
      row['protocol'] = oneOf(str(local, 'protocol'), vocabularies.protocol)
      row['network_type'] = oneOf(str(local, 'networkType'), vocabularies.networkType)
      row['relay_protocol'] = oneOf(str(local, 'relayProtocol'), vocabularies.relayProtocol)
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
