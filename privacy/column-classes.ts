// What every table and column of callmask's database holds, for the Art. 30 record, the
// privacy notice and the leak scanner. A column's class says what happened to a person's
// data before it was stored:
//   pseudonymised          the whole value is a keyed pseudonym (`p_k<version>_...`)
//   detected-and-replaced  scanned by the detectors, each personal span replaced by its pseudonym
//   truncated              network addresses cut to /24 (IPv4) or /48 (IPv6)
//   technical              measurements, times, enumerations, settings: nothing about a person
//   dropped-at-ingest      the policy drops the field it comes from: the column stays empty
//   kept-as-sent           the policy keeps an identifier field unchanged (a policy gap to fix)
// Columns fed by policy fields get their class from the running policy; the rest are fixed
// by code (the processor, the report mapper's vocabularies). Columns are described by name
// (a name means the same in every table and view, `table.column` entries where it does not);
// test/inventory-notice.integration.test.ts fails when a column or table has no entry.
import type { FieldAction } from '../schemas/policy-schema.ts'
import type { CompiledPolicy } from '../policy/load-policy.ts'

export const columnClasses = ['pseudonymised', 'detected-and-replaced', 'truncated', 'technical', 'dropped-at-ingest', 'kept-as-sent'] as const
export type ColumnClass = (typeof columnClasses)[number]

/** A frame field a column is filled from: a call-context, event or report field. */
export interface PolicyField {
  section: 'call' | 'event' | 'report'
  field: string
  /** For section report: the report types whose field it is. */
  reportTypes?: readonly string[]
}

interface ColumnRule {
  meaning: string
  /** The class when no policy field decides it. */
  fixed?: ColumnClass
  /** Filled from these fields: the policy's action for them decides the class. */
  from?: readonly PolicyField[]
}

const rtpTypes = ['inbound-rtp', 'outbound-rtp', 'remote-inbound-rtp', 'remote-outbound-rtp'] as const
const call = (field: string): PolicyField[] => [{ section: 'call', field }]
const report = (field: string, reportTypes: readonly string[]): PolicyField[] => [{ section: 'report', field, reportTypes }]

const technical = (meaning: string): ColumnRule => ({ meaning, fixed: 'technical' })
const group = (names: string, rule: ColumnRule): [string, ColumnRule][] => names.trim().split(/\s+/).map((name) => [name, rule])

const measurement = technical('a WebRTC getStats counter, gauge or a value computed from them (no personal content)')
const aggregateValue = technical('an aggregate of measurements (quantile, average, sum, count) over many intervals')
const vocabulary = technical('a W3C enumeration; any other value is stored as "other"')

const rules = new Map<string, ColumnRule>([
  ['tenant', technical("the operator's tenant (customer) the data belongs to")],
  ['ts', technical('when the frame (or the audit record) was made')],
  ['report_ts', technical("the report's own measurement time")],
  ['minute', technical('the minute an aggregate covers')],
  ['started', technical('when a call stream started')],
  ['ended', technical('when a call stream ended')],
  ['since', technical('when a live issue began')],
  ['confirmed', technical('when a live issue was last confirmed')],
  ['retention_days', technical("days the row is kept (its TTL): the tenant's raw-data retention when written")],
  ['aggregate_retention_days', technical("days aggregates derived from the row are kept: the tenant's aggregate retention when written")],
  ['seq', technical("the frame's sequence number in its session")],
  ['insert_id', technical('which insert wrote the row: finds a frame two processors both wrote (storage/duplicate-repair.ts)')],
  ['session_id', { meaning: "the SDK session's id (an app could choose a personal one)", fixed: 'pseudonymised' }],
  ['conference_id', { meaning: 'the conference or room', from: call('conferenceId') }],
  ['call_id', { meaning: 'the call', from: call('callId') }],
  ['participant_id', { meaning: 'the participant: a user id, phone number or e-mail', from: call('participantId') }],
  ['display_name', { meaning: "the participant's display name", from: call('displayName') }],
  ['peer_connection_id', { meaning: 'the WebRTC peer connection', from: call('peerConnectionId') }],
  ['report_id', { meaning: 'the getStats report id of the stream', from: report('id', rtpTypes) }],
  ['pair_id', { meaning: 'the getStats report id of the ICE candidate pair', from: report('id', ['candidate-pair']) }],
  ['mid', { meaning: 'the SDP media id of the stream', from: report('mid', rtpTypes) }],
  ['local_address_truncated', { meaning: 'the local ICE candidate address (/24 or /48; the report mapper truncates whatever the policy says)', fixed: 'truncated' }],
  ['remote_address_truncated', { meaning: 'the remote ICE candidate address (/24 or /48; the report mapper truncates whatever the policy says)', fixed: 'truncated' }],
  ['report_type', technical('the getStats report type')],
  ['ssrc', technical('the RTP synchronisation source number')],
  ['codec', technical('the codec as kind/name from the registered RTP codecs; any other is "other"')],
  ['direction', technical('received (what this participant got) or sent (how the other side got its media)')],
  ['issue', technical('the kind of live issue (high loss, jitter, RTT, ...)')],
  ['threshold', technical('the threshold the issue crossed')],
  ['value', technical('the metric value when the issue started or ended')],
  ['nominated', technical('whether ICE nominated the pair')],
  ['selected', technical('whether the pair is the selected one')],
  ['relayed', technical('whether the call went through a TURN relay')],
  ['selected_pair_changes', technical('how often the selected candidate pair changed')],
  ['duration_s', aggregateValue],
  ['streams', aggregateValue],
  ['intervals', aggregateValue],
  ['value_text', technical('an event value from a fixed vocabulary (states, media kinds); any other text is not stored')],
  ['value_number', technical('a numeric event value (e.g. a 1-5 rating)')],
  ['call_events.name', technical('the event name (join, leave, mute, ...: a fixed list in the wire schema)')],
  ['connection_samples.state', vocabulary],
  ['stream_issues.state', technical('start or end of a live issue')],
  ['audit_log.key_id', technical('the id of the API key that made the request (never the key)')],
  ['audit_log.role', technical("the key's role")],
  ['audit_log.operation', technical('the route or privacy operation')],
  ['audit_log.target', { meaning: 'what the operation touched: pseudonyms, key ids, tenant names, never a raw identifier', fixed: 'pseudonymised' }],
  ['audit_log.result', technical('ok, refused or failed')],
  ['audit_log.status', technical('the HTTP status')],
  ['audit_log.details', technical('counts and other non-personal facts (JSON)')],
  ['erasure_list.pseudonym', { meaning: "an erased data subject's pseudonym, so processors drop its rows still in flight", fixed: 'pseudonymised' }],
  ['erasure_list.requested_at', technical('when the erasure was asked for')],
  ['erasure_list.expires_at', technical('when the entry is dropped: the frames stream max age plus a day')],
  ['schema_migrations.version', technical('a schema migration applied')],
  ['schema_migrations.name', technical('the migration file')],
  ['schema_migrations.applied_at', technical('when it was applied')],
  ...group('kind quality_limitation_reason interval_state local_candidate_type remote_candidate_type protocol network_type relay_protocol transport_dtls_state transport_ice_state local_candidate_types remote_candidate_types relay_protocols', vocabulary),
  ...group(
    `packets_received packets_lost packets_sent bytes_received bytes_sent jitter round_trip_time fraction_lost nack_count pli_count fir_count
     frames_encoded frames_decoded frames_dropped frames_per_second frame_width frame_height freeze_count total_freezes_duration concealed_samples
     total_samples_received jitter_buffer_delay jitter_buffer_emitted_count target_bitrate retransmitted_packets_sent retransmitted_packets_received
     retransmitted_bytes_sent retransmitted_bytes_received packets_discarded header_bytes_received header_bytes_sent fec_packets_received fec_packets_discarded
     silent_concealed_samples concealment_events inserted_samples_for_deceleration removed_samples_for_acceleration frames_received frames_sent
     key_frames_decoded key_frames_encoded huge_frames_sent pause_count quality_limitation_resolution_changes round_trip_time_measurements
     playout_synthesized_samples_events playout_total_samples_count jitter_buffer_target_delay jitter_buffer_minimum_delay total_pauses_duration
     total_decode_time total_processing_delay total_inter_frame_delay total_encode_time total_packet_send_delay total_round_trip_time
     ql_duration_none ql_duration_cpu ql_duration_bandwidth ql_duration_other source_audio_level source_total_audio_energy source_total_samples_duration
     source_frames_per_second playout_synthesized_samples_duration playout_total_playout_delay playout_total_samples_duration source_width source_height
     interval_ms interval_bitrate_bps interval_packet_rate interval_loss_fraction interval_jitter_buffer_delay interval_concealment_ratio
     interval_frames_per_second interval_freeze_count interval_freeze_duration interval_pause_duration interval_average_rtt interval_quality_limited_share
     interval_cpu_limited_share interval_bandwidth_limited_share interval_receive_bitrate_bps interval_send_bitrate_bps connection_rtt mos current_round_trip_time available_outgoing_bitrate
     available_incoming_bitrate packets_discarded_on_send bytes_discarded_on_send requests_sent requests_received responses_sent responses_received
     consent_requests_sent transport_bytes_sent transport_bytes_received transport_selected_pair_changes`,
    measurement,
  ),
  ...group(
    `mos_q mos_avg loss_q loss_avg jitter_q rtt_q bitrate_avg concealment_avg freeze_duration quality_limited_avg loss_p95 jitter_p95 rtt_p95
     mos_quantiles mos_p5 mos_p50 loss_quantiles loss_p50 jitter_quantiles jitter_p50 rtt_quantiles rtt_p50 quality_limited_share`,
    aggregateValue,
  ),
])

export type TableKind = 'table' | 'view' | 'materialized view'

export interface TableRule {
  purpose: string
  /** The column the table's TTL counts from and the one holding its days (tables only). */
  ttl?: { from: string; days: 'retention_days' | 'aggregate_retention_days' }
  /** Views: what they read or, for materialised views, the table they write. */
  derivedFrom?: string
}

export const tableRules: ReadonlyMap<string, TableRule> = new Map<string, TableRule>([
  ['rtp_samples', { purpose: 'per-stream interval samples (inbound, outbound, remote RTP reports)', ttl: { from: 'ts', days: 'retention_days' } }],
  ['connection_samples', { purpose: 'per ICE candidate pair samples (transport, RTT, bitrate)', ttl: { from: 'ts', days: 'retention_days' } }],
  ['call_events', { purpose: 'call events (join, leave, mute, state changes, feedback)', ttl: { from: 'ts', days: 'retention_days' } }],
  ['stream_issues', { purpose: 'live issue starts and ends per stream and connection', ttl: { from: 'ts', days: 'aggregate_retention_days' } }],
  ['quality_minute_state', { purpose: 'per-minute quality aggregates per conference, kind and direction', ttl: { from: 'minute', days: 'aggregate_retention_days' } }],
  ['call_stream_state', { purpose: 'per-call stream aggregates (call summaries)', ttl: { from: 'started', days: 'aggregate_retention_days' } }],
  ['call_path_state', { purpose: 'per-call network path (candidate types, relay)', ttl: { from: 'started', days: 'aggregate_retention_days' } }],
  ['audit_log', { purpose: 'the audit log of API requests and privacy operations', ttl: { from: 'ts', days: 'retention_days' } }],
  ['schema_migrations', { purpose: 'the schema migrations applied (no personal data)' }],
  ['erasure_list', { purpose: 'pseudonyms of erased data subjects, read by processors before insert (README "Erasure and export")' }],
  ['quality_minute_mv', { purpose: 'fills quality_minute_state from rtp_samples as rows arrive', derivedFrom: 'quality_minute_state' }],
  ['quality_minute_sent_mv', { purpose: 'fills quality_minute_state (sent direction) from rtp_samples', derivedFrom: 'quality_minute_state' }],
  ['call_stream_mv', { purpose: 'fills call_stream_state from rtp_samples', derivedFrom: 'call_stream_state' }],
  ['call_path_mv', { purpose: 'fills call_path_state from connection_samples', derivedFrom: 'call_path_state' }],
  ['quality_per_minute', { purpose: 'per-minute quality for analysts', derivedFrom: 'quality_minute_state' }],
  ['call_summaries', { purpose: 'one row per call stream for analysts', derivedFrom: 'call_stream_state, call_path_state' }],
  ['active_issues', { purpose: 'live issues still going on', derivedFrom: 'stream_issues' }],
])

export function tableKind(engine: string): TableKind {
  if (engine === 'View') return 'view'
  if (engine === 'MaterializedView') return 'materialized view'
  return 'table'
}

export interface ColumnClassification {
  class: ColumnClass
  meaning: string
  /** The policy fields that fill it and their action under the running policy. */
  fields?: { field: string; action: FieldAction | 'not named (dropped)' }[]
}

/** Weakest protection first: a column takes the class of the weakest action that reaches it. */
const actionOrder: readonly FieldAction[] = ['keep', 'truncate-ip', 'detect', 'pseudonymise']
const classOfAction: Record<Exclude<FieldAction, 'drop'>, ColumnClass> = {
  keep: 'kept-as-sent',
  'truncate-ip': 'truncated',
  detect: 'detected-and-replaced',
  pseudonymise: 'pseudonymised',
}

function actionOf(policy: CompiledPolicy, ref: PolicyField, reportType?: string): FieldAction | undefined {
  if (ref.section === 'call') return policy.call.get(ref.field)
  if (ref.section === 'event') return policy.event.get(ref.field)
  const rules = policy.reportRules(reportType ?? '')
  // A report type whose id is dropped is dropped whole (apply-policy.ts).
  if (!rules || rules.get('id') === 'drop') return undefined
  return rules.get(ref.field)
}

/** The column's class under the running policy; undefined for a column nobody described. */
export function classifyColumn(table: string, column: string, policy: CompiledPolicy): ColumnClassification | undefined {
  const rule = rules.get(`${table}.${column}`) ?? rules.get(column)
  if (!rule) return undefined
  if (!rule.from) return { class: rule.fixed ?? 'technical', meaning: rule.meaning }
  const fields: NonNullable<ColumnClassification['fields']> = []
  const actions: FieldAction[] = []
  for (const ref of rule.from) {
    const scopes = ref.section === 'report' ? (ref.reportTypes ?? []) : [undefined]
    for (const type of scopes) {
      const action = actionOf(policy, ref, type)
      fields.push({ field: `${type ?? ref.section}.${ref.field}`, action: action ?? 'not named (dropped)' })
      if (action !== undefined && action !== 'drop') actions.push(action)
    }
  }
  const weakest = actionOrder.find((a) => actions.includes(a))
  return { class: weakest === undefined ? 'dropped-at-ingest' : classOfAction[weakest as Exclude<FieldAction, 'drop'>], meaning: rule.meaning, fields }
}
