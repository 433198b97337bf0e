// Maps one data frame, already minimised and pseudonymised by the policy, to table rows.
// Only the fields named here become columns. Candidate addresses are truncated again as a
// guard, so the `*_truncated` columns never hold a whole address whatever the policy says.
import { tableNames, type Row, type TableName } from '../storage/tables.ts'
import type { CallContext, EventFrame, StatsFrame, StatsReport } from '../schemas/frames.ts'
import { truncateIp } from '../pii/ip-detector.ts'
import { noInterval, streamInterval, type StreamInterval } from './quality/stream-interval.ts'
import { scoreAudio } from './quality/audio-score.ts'

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
  retransmitted_bytes_sent: ['retransmittedBytesSent', 'UInt64'],
  retransmitted_bytes_received: ['retransmittedBytesReceived', 'UInt64'],
  packets_discarded: ['packetsDiscarded', 'UInt64'],
  header_bytes_received: ['headerBytesReceived', 'UInt64'],
  header_bytes_sent: ['headerBytesSent', 'UInt64'],
  fec_packets_received: ['fecPacketsReceived', 'UInt64'],
  fec_packets_discarded: ['fecPacketsDiscarded', 'UInt64'],
  silent_concealed_samples: ['silentConcealedSamples', 'UInt64'],
  concealment_events: ['concealmentEvents', 'UInt64'],
  inserted_samples_for_deceleration: ['insertedSamplesForDeceleration', 'UInt64'],
  removed_samples_for_acceleration: ['removedSamplesForAcceleration', 'UInt64'],
  jitter_buffer_target_delay: ['jitterBufferTargetDelay', 'Float64'],
  jitter_buffer_minimum_delay: ['jitterBufferMinimumDelay', 'Float64'],
  frames_received: ['framesReceived', 'UInt64'],
  frames_sent: ['framesSent', 'UInt64'],
  key_frames_decoded: ['keyFramesDecoded', 'UInt64'],
  key_frames_encoded: ['keyFramesEncoded', 'UInt64'],
  huge_frames_sent: ['hugeFramesSent', 'UInt64'],
  pause_count: ['pauseCount', 'UInt64'],
  total_pauses_duration: ['totalPausesDuration', 'Float64'],
  total_decode_time: ['totalDecodeTime', 'Float64'],
  total_processing_delay: ['totalProcessingDelay', 'Float64'],
  total_inter_frame_delay: ['totalInterFrameDelay', 'Float64'],
  total_encode_time: ['totalEncodeTime', 'Float64'],
  total_packet_send_delay: ['totalPacketSendDelay', 'Float64'],
  quality_limitation_resolution_changes: ['qualityLimitationResolutionChanges', 'UInt64'],
  total_round_trip_time: ['totalRoundTripTime', 'Float64'],
  round_trip_time_measurements: ['roundTripTimeMeasurements', 'UInt64'],
}

// From the outbound stream's media-source (what the microphone or camera delivered) and the
// inbound audio stream's media-playout (what the speaker got): columns of the rtp row.
const mediaSourceFields: Record<string, [field: string, type: NumericType]> = {
  source_audio_level: ['audioLevel', 'Float64'],
  source_total_audio_energy: ['totalAudioEnergy', 'Float64'],
  source_total_samples_duration: ['totalSamplesDuration', 'Float64'],
  source_frames_per_second: ['framesPerSecond', 'Float64'],
  source_width: ['width', 'UInt32'],
  source_height: ['height', 'UInt32'],
}
const mediaPlayoutFields: Record<string, [field: string, type: NumericType]> = {
  playout_synthesized_samples_duration: ['synthesizedSamplesDuration', 'Float64'],
  playout_synthesized_samples_events: ['synthesizedSamplesEvents', 'UInt64'],
  playout_total_playout_delay: ['totalPlayoutDelay', 'Float64'],
  playout_total_samples_count: ['totalSamplesCount', 'UInt64'],
  playout_total_samples_duration: ['totalSamplesDuration', 'Float64'],
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
  packets_discarded_on_send: ['packetsDiscardedOnSend', 'UInt64'],
  bytes_discarded_on_send: ['bytesDiscardedOnSend', 'UInt64'],
  requests_sent: ['requestsSent', 'UInt64'],
  requests_received: ['requestsReceived', 'UInt64'],
  responses_sent: ['responsesSent', 'UInt64'],
  responses_received: ['responsesReceived', 'UInt64'],
  consent_requests_sent: ['consentRequestsSent', 'UInt64'],
}
const transportFields: Record<string, [field: string, type: NumericType]> = {
  transport_bytes_sent: ['bytesSent', 'UInt64'],
  transport_bytes_received: ['bytesReceived', 'UInt64'],
  transport_selected_pair_changes: ['selectedCandidatePairChanges', 'UInt64'],
}

type NumericColumns = readonly (readonly [column: string, field: string, type: NumericType])[]
const columnsOf = (fields: Record<string, [field: string, type: NumericType]>): NumericColumns => Object.entries(fields).map(([column, [field, type]]) => [column, field, type] as const)
const rtpMetricColumns = columnsOf(rtpMetricFields)
const mediaSourceColumns = columnsOf(mediaSourceFields)
const mediaPlayoutColumns = columnsOf(mediaPlayoutFields)
const pairMetricColumns = columnsOf(pairMetricFields)
const transportColumns = columnsOf(transportFields)

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
  dtlsState: new Set(['new', 'connecting', 'connected', 'closed', 'failed']),
  iceState: new Set(['new', 'checking', 'connected', 'completed', 'disconnected', 'failed', 'closed']),
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


export { tableNames, type Row, type TableName }

export interface FrameRows {
  rtp_samples: Row[]
  connection_samples: Row[]
  call_events: Row[]
  /** Live issues' starts and ends (quality/live-issues.ts), added by the processor. */
  stream_issues: Row[]
}


export const defaultAggregateRetentionDays = 395

export interface FrameSource {
  tenant: string
  sessionId: string
  seq: number
  retentionDays: number
  /** Of the aggregates the materialised views derive from the row. @default 395 */
  aggregateRetentionDays?: number
}

export interface CallContextColumns {
  conference_id: string
  participant_id: string
  display_name: string
  peer_connection_id: string
  call_id: string
}

export function callContextColumns(call: Partial<CallContext>): CallContextColumns {
  return {
    conference_id: call.conferenceId ?? '',
    participant_id: call.participantId ?? '',
    display_name: call.displayName ?? '',
    peer_connection_id: call.peerConnectionId ?? '',
    call_id: call.callId ?? '',
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

const baseColumnNames = ['tenant', 'ts', 'retention_days', 'aggregate_retention_days', ...Object.keys(callContextColumns({})), 'session_id', 'seq']
const intervalColumnNames = ['interval_state', 'interval_ms', 'interval_bitrate_bps', 'interval_packet_rate', 'interval_loss_fraction', 'interval_jitter_buffer_delay', 'interval_concealment_ratio',
  'interval_frames_per_second', 'interval_freeze_count', 'interval_freeze_duration', 'interval_pause_duration', 'interval_average_rtt', 'interval_quality_limited_share',
  'interval_cpu_limited_share', 'interval_bandwidth_limited_share']
const names = (columns: NumericColumns) => columns.map(([column]) => column)

/** Every column of an rtp_samples row, in insert order (a test holds the mapper to it). */
export const rtpSampleColumns: readonly string[] = [
  ...baseColumnNames, 'report_ts', 'report_type', 'report_id', 'kind', 'ssrc', 'mid', 'codec', ...names(rtpMetricColumns),
  'ql_duration_none', 'ql_duration_cpu', 'ql_duration_bandwidth', 'ql_duration_other', 'quality_limitation_reason',
  ...names(mediaSourceColumns), ...names(mediaPlayoutColumns), ...intervalColumnNames, 'connection_rtt', 'mos',
]
/** Every column of a connection_samples row, in insert order. */
export const connectionSampleColumns: readonly string[] = [
  ...baseColumnNames, 'report_ts', 'pair_id', 'state', 'nominated', 'selected', ...names(pairMetricColumns), 'local_candidate_type', 'remote_candidate_type',
  'local_address_truncated', 'remote_address_truncated', 'protocol', 'network_type', 'relay_protocol', 'transport_dtls_state', 'transport_ice_state',
  ...names(transportColumns), 'interval_state', 'interval_ms', 'interval_receive_bitrate_bps', 'interval_send_bitrate_bps', 'interval_average_rtt',
]

// A row is an object of ~100 columns. Built by adding keys one at a time (keyed stores), V8
// turns it into a slow dictionary after a dozen; an object literal naming every column up
// front keeps one fixed shape, and the mapper only overwrites (mapping cost halved). The
// literal is generated from the column list once; column names are identifiers of ours.
function rowFactory(columns: readonly string[]): () => Row {
  return new Function(`return {${columns.map((column) => `${JSON.stringify(column)}: null`).join(', ')}}`) as () => Row
}
const newRtpRow = rowFactory(rtpSampleColumns)
const newConnectionRow = rowFactory(connectionSampleColumns)
const newEventRow = rowFactory([...baseColumnNames, 'name', 'value_text', 'value_number'])

function baseColumns(row: Row, source: FrameSource, ts: number, context: CallContextColumns): Row {
  row['tenant'] = source.tenant
  row['ts'] = Math.round(ts)
  row['retention_days'] = source.retentionDays
  row['aggregate_retention_days'] = source.aggregateRetentionDays ?? defaultAggregateRetentionDays
  Object.assign(row, context)
  row['session_id'] = source.sessionId
  row['seq'] = source.seq
  return row
}

function copyNumbers(row: Row, report: StatsReport | undefined, columns: NumericColumns): void {
  for (const [column, field, type] of columns) row[column] = report ? numeric(report, field, type) : null
}

/** Cumulative seconds per reason (outbound-rtp `qualityLimitationDurations`). */
function limitationColumns(row: Row, report: StatsReport): void {
  const durations = report['qualityLimitationDurations']
  const record = durations !== null && typeof durations === 'object' ? (durations as Record<string, unknown>) : {}
  for (const reason of ['none', 'cpu', 'bandwidth', 'other']) {
    const value = record[reason]
    row[`ql_duration_${reason}`] = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null
  }
}

const finite = (value: number | null): number | null => (value !== null && Number.isFinite(value) ? value : null)

function intervalColumns(row: Row, interval: StreamInterval): void {
  row['interval_state'] = interval.state
  row['interval_ms'] = finite(interval.ms)
  row['interval_bitrate_bps'] = finite(interval.bitrateBps)
  row['interval_packet_rate'] = finite(interval.packetRate)
  row['interval_loss_fraction'] = finite(interval.lossFraction)
  row['interval_jitter_buffer_delay'] = finite(interval.jitterBufferDelayS)
  row['interval_concealment_ratio'] = finite(interval.concealmentRatio)
  row['interval_frames_per_second'] = finite(interval.framesPerSecond)
  row['interval_freeze_count'] = finite(interval.freezeCount)
  row['interval_freeze_duration'] = finite(interval.freezeS)
  row['interval_pause_duration'] = finite(interval.pauseS)
  row['interval_average_rtt'] = finite(interval.averageRttS)
  row['interval_quality_limited_share'] = finite(interval.qualityLimitedShare)
  row['interval_cpu_limited_share'] = finite(interval.cpuLimitedShare)
  row['interval_bandwidth_limited_share'] = finite(interval.bandwidthLimitedShare)
}

export function mapStatsFrame(frame: StatsFrame, source: FrameSource): FrameRows {
  const context = callContextColumns(frame.call)
  const rows: FrameRows = { rtp_samples: [], connection_samples: [], call_events: [], stream_issues: [] }
  const byId = new Map<string, StatsReport>()
  for (const report of frame.reports) byId.set(report.id, report)
  const previousById = new Map<string, StatsReport>()
  for (const report of frame.previous ?? []) if (report.type !== undefined) previousById.set(`${report.type} ${report.id}`, report)
  const previousOf = (report: StatsReport) => previousById.get(`${report.type} ${report.id}`)
  // The transports' selected pairs: after an ICE restart the selected pair is the new one.
  const selectedPairs = new Set<string>()
  for (const report of frame.reports) {
    if (report.type === 'transport') selectedPairs.add(str(report, 'selectedCandidatePairId'))
    else if (report.type === 'candidate-pair' && report['selected'] === true) selectedPairs.add(report.id)
  }
  const rtpRows: { row: Row; report: StatsReport; interval: StreamInterval }[] = []
  for (const report of frame.reports) {
    if (rtpReportTypes.has(report.type)) {
      const row = baseColumns(newRtpRow(), source, frame.ts, context)
      row['report_ts'] = Math.round(report.timestamp)
      row['report_type'] = report.type
      row['report_id'] = report.id
      row['kind'] = oneOf(str(report, 'kind'), vocabularies.kind)
      row['ssrc'] = numeric(report, 'ssrc', 'UInt32') ?? 0
      row['mid'] = str(report, 'mid')
      const codec = str(byId.get(str(report, 'codecId')), 'mimeType')
      row['codec'] = codecColumn(codec)
      copyNumbers(row, report, rtpMetricColumns)
      limitationColumns(row, report)
      row['quality_limitation_reason'] = oneOf(str(report, 'qualityLimitationReason'), vocabularies.qualityLimitationReason)
      copyNumbers(row, report.type === 'outbound-rtp' ? byId.get(str(report, 'mediaSourceId')) : undefined, mediaSourceColumns)
      copyNumbers(row, report.type === 'inbound-rtp' ? byId.get(str(report, 'playoutId')) : undefined, mediaPlayoutColumns)
      const interval = frame.previous === undefined || report.type === 'remote-outbound-rtp' ? noInterval('none') : streamInterval(previousOf(report), report)
      intervalColumns(row, interval)
      // An RTCP receiver report's fraction covers its own interval: the best loss figure we have.
      if (report.type === 'remote-inbound-rtp') row['interval_loss_fraction'] = numeric(report, 'fractionLost', 'Float64')
      rtpRows.push({ row, report, interval })
      rows.rtp_samples.push(row)
    } else if (report.type === 'candidate-pair') {
      const local = byId.get(str(report, 'localCandidateId'))
      const remote = byId.get(str(report, 'remoteCandidateId'))
      const transport = byId.get(str(report, 'transportId'))
      const row = baseColumns(newConnectionRow(), source, frame.ts, context)
      row['report_ts'] = Math.round(report.timestamp)
      row['pair_id'] = report.id
      // Firefox spells `in-progress` without the hyphen.
      row['state'] = oneOf(str(report, 'state').replace(/^inprogress$/, 'in-progress'), vocabularies.pairState)
      row['nominated'] = report['nominated'] === true ? 1 : 0
      // The transport's selected pair, or Firefox's own flag (it has no transport report).
      row['selected'] = selectedPairs.has(report.id) ? 1 : 0
      copyNumbers(row, report, pairMetricColumns)
      row['local_candidate_type'] = oneOf(str(local, 'candidateType'), vocabularies.candidateType)
      row['remote_candidate_type'] = oneOf(str(remote, 'candidateType'), vocabularies.candidateType)
      // Candidate addresses are never stored whole: IPv4 /24, IPv6 /48.
      row['local_address_truncated'] = truncateIp(str(local, 'address') || str(local, 'ip'))
      row['remote_address_truncated'] = truncateIp(str(remote, 'address') || str(remote, 'ip'))
      row['protocol'] = oneOf(str(local, 'protocol'), vocabularies.protocol)
      row['network_type'] = oneOf(str(local, 'networkType'), vocabularies.networkType)
      row['relay_protocol'] = oneOf(str(local, 'relayProtocol'), vocabularies.relayProtocol)
      row['transport_dtls_state'] = oneOf(str(transport, 'dtlsState'), vocabularies.dtlsState)
      row['transport_ice_state'] = oneOf(str(transport, 'iceState'), vocabularies.iceState)
      copyNumbers(row, transport, transportColumns)
      const interval = frame.previous === undefined ? noInterval('none') : streamInterval(previousOf(report), report)
      row['interval_state'] = interval.state
      row['interval_ms'] = finite(interval.ms)
      row['interval_receive_bitrate_bps'] = finite(interval.bitrateBps)
      row['interval_send_bitrate_bps'] = finite(interval.sendBitrateBps)
      row['interval_average_rtt'] = finite(interval.averageRttS)
      rows.connection_samples.push(row)
    }
  }
  scoreAudio(rtpRows, frame.reports, selectedPairs, byId)
  return rows
}

/** States and media kinds are enumerations we keep; any other text value is dropped. */
const keptEventTexts = new Set([
  'new', 'checking', 'connected', 'completed', 'disconnected', 'failed', 'closed', 'connecting',
  'audio', 'video', 'screen',
])

export function mapEventFrame(frame: EventFrame, source: FrameSource): FrameRows {
  const row = baseColumns(newEventRow(), source, frame.ts, callContextColumns(frame.call))
  row['name'] = frame.name
  row['value_text'] = typeof frame.value === 'string' && keptEventTexts.has(frame.value) ? frame.value : ''
  row['value_number'] = typeof frame.value === 'number' && Number.isFinite(frame.value) ? frame.value : null
  return { rtp_samples: [], connection_samples: [], call_events: [row], stream_issues: [] }
}
