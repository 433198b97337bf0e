-- The quality model's columns (issue 9): the call id, each report's own measurement time
-- (`report_ts`; `ts` stays the frame's), the rest of the W3C counters the analysts use, the
-- media-source and media-playout of each stream, the transport of each candidate pair and
-- whether it is the selected one, and the per-interval values the processor computes from
-- each frame and its `previous` snapshot (processor/quality/stream-interval.ts):
--   interval_state        ok | first | reset | invalid | none (see stream-interval.ts)
--   interval_ms           between the two reports' own timestamps
--   interval_*_bitrate_bps, interval_packet_rate   per second of the interval
--   interval_loss_fraction  0..1 (inbound: lost / (lost + received); remote-inbound: the RTCP fractionLost)
--   interval_jitter_buffer_delay  seconds per emitted sample / frame
--   interval_concealment_ratio    audibly concealed (concealed - silent concealed) / received samples
--   interval_average_rtt  seconds, totalRoundTripTime / roundTripTimeMeasurements (STUN responses for pairs)
--   connection_rtt        the peer connection's RTT at the snapshot, seconds: the selected pair's STUN RTT, else RTCP's
--   mos                   ITU-T G.107 E-model estimate for received audio (processor/quality/e-model.ts)
-- Cumulative counters stay, so SQL can recompute any of these.

ALTER TABLE {db}.rtp_samples
    ADD COLUMN IF NOT EXISTS call_id String,
    ADD COLUMN IF NOT EXISTS report_ts DateTime64(3, 'UTC') DEFAULT ts,
    ADD COLUMN IF NOT EXISTS aggregate_retention_days UInt16 DEFAULT 395,
    ADD COLUMN IF NOT EXISTS retransmitted_bytes_sent Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS retransmitted_bytes_received Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS packets_discarded Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS header_bytes_received Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS header_bytes_sent Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS fec_packets_received Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS fec_packets_discarded Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS silent_concealed_samples Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS concealment_events Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS inserted_samples_for_deceleration Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS removed_samples_for_acceleration Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS frames_received Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS frames_sent Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS key_frames_decoded Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS key_frames_encoded Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS huge_frames_sent Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS pause_count Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS quality_limitation_resolution_changes Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS round_trip_time_measurements Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS playout_synthesized_samples_events Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS playout_total_samples_count Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS jitter_buffer_target_delay Nullable(Float64),
    ADD COLUMN IF NOT EXISTS jitter_buffer_minimum_delay Nullable(Float64),
    ADD COLUMN IF NOT EXISTS total_pauses_duration Nullable(Float64),
    ADD COLUMN IF NOT EXISTS total_decode_time Nullable(Float64),
    ADD COLUMN IF NOT EXISTS total_processing_delay Nullable(Float64),
    ADD COLUMN IF NOT EXISTS total_inter_frame_delay Nullable(Float64),
    ADD COLUMN IF NOT EXISTS total_encode_time Nullable(Float64),
    ADD COLUMN IF NOT EXISTS total_packet_send_delay Nullable(Float64),
    ADD COLUMN IF NOT EXISTS total_round_trip_time Nullable(Float64),
    ADD COLUMN IF NOT EXISTS ql_duration_none Nullable(Float64),
    ADD COLUMN IF NOT EXISTS ql_duration_cpu Nullable(Float64),
    ADD COLUMN IF NOT EXISTS ql_duration_bandwidth Nullable(Float64),
    ADD COLUMN IF NOT EXISTS ql_duration_other Nullable(Float64),
    ADD COLUMN IF NOT EXISTS source_audio_level Nullable(Float64),
    ADD COLUMN IF NOT EXISTS source_total_audio_energy Nullable(Float64),
    ADD COLUMN IF NOT EXISTS source_total_samples_duration Nullable(Float64),
    ADD COLUMN IF NOT EXISTS source_frames_per_second Nullable(Float64),
    ADD COLUMN IF NOT EXISTS playout_synthesized_samples_duration Nullable(Float64),
    ADD COLUMN IF NOT EXISTS playout_total_playout_delay Nullable(Float64),
    ADD COLUMN IF NOT EXISTS playout_total_samples_duration Nullable(Float64),
    ADD COLUMN IF NOT EXISTS source_width Nullable(UInt32),
    ADD COLUMN IF NOT EXISTS source_height Nullable(UInt32),
    ADD COLUMN IF NOT EXISTS interval_state LowCardinality(String),
    ADD COLUMN IF NOT EXISTS interval_ms Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_bitrate_bps Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_packet_rate Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_loss_fraction Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_jitter_buffer_delay Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_concealment_ratio Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_frames_per_second Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_freeze_count Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_freeze_duration Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_pause_duration Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_average_rtt Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_quality_limited_share Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_cpu_limited_share Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_bandwidth_limited_share Nullable(Float64),
    ADD COLUMN IF NOT EXISTS connection_rtt Nullable(Float64),
    ADD COLUMN IF NOT EXISTS mos Nullable(Float64);

ALTER TABLE {db}.connection_samples
    ADD COLUMN IF NOT EXISTS call_id String,
    ADD COLUMN IF NOT EXISTS report_ts DateTime64(3, 'UTC') DEFAULT ts,
    ADD COLUMN IF NOT EXISTS aggregate_retention_days UInt16 DEFAULT 395,
    ADD COLUMN IF NOT EXISTS selected UInt8,
    ADD COLUMN IF NOT EXISTS packets_discarded_on_send Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS bytes_discarded_on_send Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS requests_sent Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS requests_received Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS responses_sent Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS responses_received Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS consent_requests_sent Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS transport_bytes_sent Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS transport_bytes_received Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS transport_selected_pair_changes Nullable(UInt64),
    ADD COLUMN IF NOT EXISTS transport_dtls_state LowCardinality(String),
    ADD COLUMN IF NOT EXISTS transport_ice_state LowCardinality(String),
    ADD COLUMN IF NOT EXISTS interval_state LowCardinality(String),
    ADD COLUMN IF NOT EXISTS interval_ms Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_receive_bitrate_bps Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_send_bitrate_bps Nullable(Float64),
    ADD COLUMN IF NOT EXISTS interval_average_rtt Nullable(Float64);

ALTER TABLE {db}.call_events
    ADD COLUMN IF NOT EXISTS call_id String,
    ADD COLUMN IF NOT EXISTS aggregate_retention_days UInt16 DEFAULT 395;
