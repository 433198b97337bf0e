-- Per-stream and per-connection interval samples and call events.
-- Every row carries its own retention: parts are partitioned by expiry day so that with
-- ttl_only_drop_parts whole parts are dropped when they expire (DESIGN.md §9).
-- Personal identifiers never arrive raw: participant_id, display_name are HMAC pseudonyms,
-- conference_id / report ids have detected personal spans replaced by pseudonyms,
-- candidate addresses are truncated. (session_id, seq) identify the source frame and
-- let the processor skip rows a redelivered message already wrote.

CREATE TABLE IF NOT EXISTS {db}.rtp_samples
(
    tenant LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    retention_days UInt16,
    conference_id String,
    participant_id String,
    display_name String,
    peer_connection_id String,
    session_id String,
    seq UInt64,
    report_type LowCardinality(String),
    report_id String,
    kind LowCardinality(String),
    ssrc UInt32,
    mid String,
    codec LowCardinality(String),
    packets_received Nullable(UInt64),
    packets_lost Nullable(Int64),
    packets_sent Nullable(UInt64),
    bytes_received Nullable(UInt64),
    bytes_sent Nullable(UInt64),
    jitter Nullable(Float64),
    round_trip_time Nullable(Float64),
    fraction_lost Nullable(Float64),
    nack_count Nullable(UInt64),
    pli_count Nullable(UInt64),
    fir_count Nullable(UInt64),
    frames_encoded Nullable(UInt64),
    frames_decoded Nullable(UInt64),
    frames_dropped Nullable(UInt64),
    frames_per_second Nullable(Float64),
    frame_width Nullable(UInt32),
    frame_height Nullable(UInt32),
    freeze_count Nullable(UInt64),
    total_freezes_duration Nullable(Float64),
    concealed_samples Nullable(UInt64),
    total_samples_received Nullable(UInt64),
    jitter_buffer_delay Nullable(Float64),
    jitter_buffer_emitted_count Nullable(UInt64),
    target_bitrate Nullable(Float64),
    retransmitted_packets_sent Nullable(UInt64),
    retransmitted_packets_received Nullable(UInt64),
    quality_limitation_reason LowCardinality(String),
    INDEX session_idx session_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(toDateTime(ts) + toIntervalDay(retention_days))
ORDER BY (tenant, ts, conference_id, participant_id)
TTL toDateTime(ts) + toIntervalDay(retention_days)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.connection_samples
(
    tenant LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    retention_days UInt16,
    conference_id String,
    participant_id String,
    display_name String,
    peer_connection_id String,
    session_id String,
    seq UInt64,
    pair_id String,
    state LowCardinality(String),
    nominated UInt8,
    current_round_trip_time Nullable(Float64),
    total_round_trip_time Nullable(Float64),
    available_outgoing_bitrate Nullable(Float64),
    available_incoming_bitrate Nullable(Float64),
    bytes_sent Nullable(UInt64),
    bytes_received Nullable(UInt64),
    packets_sent Nullable(UInt64),
    packets_received Nullable(UInt64),
    local_candidate_type LowCardinality(String),
    remote_candidate_type LowCardinality(String),
    local_address_truncated String,
    remote_address_truncated String,
    protocol LowCardinality(String),
    network_type LowCardinality(String),
    relay_protocol LowCardinality(String),
    INDEX session_idx session_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(toDateTime(ts) + toIntervalDay(retention_days))
ORDER BY (tenant, ts, conference_id, participant_id)
TTL toDateTime(ts) + toIntervalDay(retention_days)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.call_events
(
    tenant LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    retention_days UInt16,
    conference_id String,
    participant_id String,
    display_name String,
    peer_connection_id String,
    session_id String,
    seq UInt64,
    name LowCardinality(String),
    value_text LowCardinality(String),
    value_number Nullable(Float64),
    INDEX session_idx session_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(toDateTime(ts) + toIntervalDay(retention_days))
ORDER BY (tenant, ts, conference_id, participant_id)
TTL toDateTime(ts) + toIntervalDay(retention_days)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;
