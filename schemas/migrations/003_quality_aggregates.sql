-- Aggregates for analysts (issue 9), filled by materialised views as raw rows are inserted:
--   quality_minute_state  per tenant, minute, conference, media kind and direction
--   call_stream_state     per call, participant, session, peer connection, kind and direction
--   call_path_state       per call, participant, session and peer connection: candidate types, relay
-- and the views with plain names that finalise them: quality_per_minute, call_summaries.
-- Direction `received`: what this participant got (its inbound-rtp: MOS, loss, jitter, the
-- connection's RTT). Direction `sent`: how the other side got this participant's media (its
-- remote-inbound-rtp: RTCP loss fraction, jitter, RTT); no MOS, the jitter buffer is remote.
-- Only computed intervals (interval_state = 'ok') are aggregated.
-- Aggregates keep their own retention (aggregate_retention_days, per tenant in the policy,
-- else CALLMASK_AGGREGATE_RETENTION_DAYS, 395 days): raw rows expire long before them.
-- A deletion in the raw tables does not reach these tables (ClickHouse materialised views
-- see inserts only): erasure deletes from them too.

CREATE TABLE IF NOT EXISTS {db}.quality_minute_state
(
    tenant LowCardinality(String),
    minute DateTime('UTC'),
    aggregate_retention_days UInt16,
    conference_id String,
    kind LowCardinality(String),
    direction LowCardinality(String),
    streams AggregateFunction(uniq, String, String, String),
    intervals AggregateFunction(count),
    mos_q AggregateFunction(quantiles(0.05, 0.5, 0.95), Nullable(Float64)),
    mos_avg AggregateFunction(avg, Nullable(Float64)),
    loss_q AggregateFunction(quantiles(0.5, 0.95), Nullable(Float64)),
    loss_avg AggregateFunction(avg, Nullable(Float64)),
    jitter_q AggregateFunction(quantiles(0.5, 0.95), Nullable(Float64)),
    rtt_q AggregateFunction(quantiles(0.5, 0.95), Nullable(Float64)),
    bitrate_avg AggregateFunction(avg, Nullable(Float64)),
    concealment_avg AggregateFunction(avg, Nullable(Float64)),
    freeze_duration SimpleAggregateFunction(sum, Float64),
    quality_limited_avg AggregateFunction(avg, Nullable(Float64))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(minute + toIntervalDay(aggregate_retention_days))
ORDER BY (tenant, minute, conference_id, kind, direction, aggregate_retention_days)
TTL minute + toIntervalDay(aggregate_retention_days)
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.quality_minute_mv TO {db}.quality_minute_state AS
SELECT
    tenant,
    toStartOfMinute(report_ts) AS minute,
    aggregate_retention_days,
    conference_id,
    kind,
    if(report_type = 'inbound-rtp', 'received', 'sent') AS direction,
    uniqState(session_id, peer_connection_id, report_id) AS streams,
    countState() AS intervals,
    quantilesState(0.05, 0.5, 0.95)(mos) AS mos_q,
    avgState(mos) AS mos_avg,
    quantilesState(0.5, 0.95)(interval_loss_fraction) AS loss_q,
    avgState(interval_loss_fraction) AS loss_avg,
    quantilesState(0.5, 0.95)(jitter) AS jitter_q,
    quantilesState(0.5, 0.95)(if(report_type = 'inbound-rtp', connection_rtt, round_trip_time)) AS rtt_q,
    avgState(interval_bitrate_bps) AS bitrate_avg,
    avgState(interval_concealment_ratio) AS concealment_avg,
    sum(ifNull(interval_freeze_duration, 0)) AS freeze_duration
FROM {db}.rtp_samples
WHERE interval_state = 'ok' AND report_type IN ('inbound-rtp', 'remote-inbound-rtp')
GROUP BY tenant, minute, aggregate_retention_days, conference_id, kind, direction;

-- The encoder's quality limitation is a property of what this participant sends (outbound-rtp).
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.quality_minute_sent_mv TO {db}.quality_minute_state AS
SELECT
    tenant,
    toStartOfMinute(report_ts) AS minute,
    aggregate_retention_days,
    conference_id,
    kind,
    'sent' AS direction,
    avgState(interval_quality_limited_share) AS quality_limited_avg
FROM {db}.rtp_samples
WHERE interval_state = 'ok' AND report_type = 'outbound-rtp'
GROUP BY tenant, minute, aggregate_retention_days, conference_id, kind, direction;

CREATE TABLE IF NOT EXISTS {db}.call_stream_state
(
    tenant LowCardinality(String),
    aggregate_retention_days UInt16,
    conference_id String,
    call_id String,
    participant_id String,
    session_id String,
    peer_connection_id String,
    kind LowCardinality(String),
    direction LowCardinality(String),
    started SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    ended SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    codec SimpleAggregateFunction(anyLast, String),
    intervals AggregateFunction(count),
    mos_q AggregateFunction(quantiles(0.05, 0.5), Nullable(Float64)),
    loss_avg AggregateFunction(avg, Nullable(Float64)),
    loss_p95 AggregateFunction(quantile(0.95), Nullable(Float64)),
    jitter_p95 AggregateFunction(quantile(0.95), Nullable(Float64)),
    rtt_p95 AggregateFunction(quantile(0.95), Nullable(Float64)),
    bitrate_avg AggregateFunction(avg, Nullable(Float64)),
    freeze_count SimpleAggregateFunction(sum, Float64),
    freeze_duration SimpleAggregateFunction(sum, Float64),
    quality_limited_avg AggregateFunction(avg, Nullable(Float64))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(toDateTime(started) + toIntervalDay(aggregate_retention_days))
ORDER BY (tenant, conference_id, call_id, participant_id, session_id, peer_connection_id, kind, direction, aggregate_retention_days)
TTL toDateTime(started) + toIntervalDay(aggregate_retention_days)
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.call_stream_mv TO {db}.call_stream_state AS
SELECT
    tenant,
    aggregate_retention_days,
    conference_id,
    call_id,
    participant_id,
    session_id,
    peer_connection_id,
    kind,
    if(report_type = 'inbound-rtp', 'received', 'sent') AS direction,
    min(report_ts) AS started,
    max(report_ts) AS ended,
    anyLast(toString(codec)) AS codec,
    countStateIf(interval_state = 'ok') AS intervals,
    quantilesState(0.05, 0.5)(if(interval_state = 'ok', mos, NULL)) AS mos_q,
    avgState(if(interval_state = 'ok', interval_loss_fraction, NULL)) AS loss_avg,
    quantileState(0.95)(if(interval_state = 'ok', interval_loss_fraction, NULL)) AS loss_p95,
    quantileState(0.95)(if(report_type = 'outbound-rtp', NULL, jitter)) AS jitter_p95,
    quantileState(0.95)(multiIf(report_type = 'inbound-rtp', connection_rtt, report_type = 'remote-inbound-rtp', round_trip_time, NULL)) AS rtt_p95,
    avgState(if(interval_state = 'ok' AND report_type != 'remote-inbound-rtp', interval_bitrate_bps, NULL)) AS bitrate_avg,
    sum(if(interval_state = 'ok', ifNull(interval_freeze_count, 0), 0)) AS freeze_count,
    sum(if(interval_state = 'ok', ifNull(interval_freeze_duration, 0), 0)) AS freeze_duration,
    avgState(if(interval_state = 'ok', interval_quality_limited_share, NULL)) AS quality_limited_avg
FROM {db}.rtp_samples
WHERE report_type IN ('inbound-rtp', 'outbound-rtp', 'remote-inbound-rtp')
GROUP BY tenant, aggregate_retention_days, conference_id, call_id, participant_id, session_id, peer_connection_id, kind, direction;

CREATE TABLE IF NOT EXISTS {db}.call_path_state
(
    tenant LowCardinality(String),
    aggregate_retention_days UInt16,
    conference_id String,
    call_id String,
    participant_id String,
    session_id String,
    peer_connection_id String,
    started SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    local_candidate_types SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
    remote_candidate_types SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
    relay_protocols SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
    relayed SimpleAggregateFunction(max, UInt8),
    selected_pair_changes SimpleAggregateFunction(max, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(toDateTime(started) + toIntervalDay(aggregate_retention_days))
ORDER BY (tenant, conference_id, call_id, participant_id, session_id, peer_connection_id, aggregate_retention_days)
TTL toDateTime(started) + toIntervalDay(aggregate_retention_days)
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.call_path_mv TO {db}.call_path_state AS
SELECT
    tenant,
    aggregate_retention_days,
    conference_id,
    call_id,
    participant_id,
    session_id,
    peer_connection_id,
    min(report_ts) AS started,
    groupUniqArray(toString(local_candidate_type)) AS local_candidate_types,
    groupUniqArray(toString(remote_candidate_type)) AS remote_candidate_types,
    groupUniqArrayIf(toString(relay_protocol), relay_protocol != '') AS relay_protocols,
    max(toUInt8(local_candidate_type = 'relay' OR remote_candidate_type = 'relay')) AS relayed,
    max(ifNull(transport_selected_pair_changes, 0)) AS selected_pair_changes
FROM {db}.connection_samples
WHERE selected = 1
GROUP BY tenant, aggregate_retention_days, conference_id, call_id, participant_id, session_id, peer_connection_id;

CREATE VIEW IF NOT EXISTS {db}.quality_per_minute AS
SELECT
    tenant,
    minute,
    conference_id,
    kind,
    direction,
    uniqMerge(streams) AS streams,
    countMerge(intervals) AS intervals,
    quantilesMerge(0.05, 0.5, 0.95)(mos_q) AS mos_quantiles,
    mos_quantiles[1] AS mos_p5,
    mos_quantiles[2] AS mos_p50,
    avgMerge(mos_avg) AS mos_avg,
    quantilesMerge(0.5, 0.95)(loss_q) AS loss_quantiles,
    loss_quantiles[1] AS loss_p50,
    loss_quantiles[2] AS loss_p95,
    avgMerge(loss_avg) AS loss_avg,
    quantilesMerge(0.5, 0.95)(jitter_q) AS jitter_quantiles,
    jitter_quantiles[1] AS jitter_p50,
    jitter_quantiles[2] AS jitter_p95,
    quantilesMerge(0.5, 0.95)(rtt_q) AS rtt_quantiles,
    rtt_quantiles[1] AS rtt_p50,
    rtt_quantiles[2] AS rtt_p95,
    avgMerge(bitrate_avg) AS bitrate_avg,
    avgMerge(concealment_avg) AS concealment_avg,
    sum(freeze_duration) AS freeze_duration,
    avgMerge(quality_limited_avg) AS quality_limited_share
FROM {db}.quality_minute_state
GROUP BY tenant, minute, conference_id, kind, direction;

CREATE VIEW IF NOT EXISTS {db}.call_summaries AS
SELECT
    s.tenant AS tenant,
    s.conference_id AS conference_id,
    s.call_id AS call_id,
    s.participant_id AS participant_id,
    s.session_id AS session_id,
    s.peer_connection_id AS peer_connection_id,
    s.kind AS kind,
    s.direction AS direction,
    s.started AS started,
    s.ended AS ended,
    dateDiff('millisecond', s.started, s.ended) / 1000 AS duration_s,
    s.codec AS codec,
    s.intervals AS intervals,
    s.mos_quantiles[2] AS mos_p50,
    s.mos_quantiles[1] AS mos_p5,
    s.loss_avg AS loss_avg,
    s.loss_p95 AS loss_p95,
    s.jitter_p95 AS jitter_p95,
    s.rtt_p95 AS rtt_p95,
    s.bitrate_avg AS bitrate_avg,
    s.freeze_count AS freeze_count,
    s.freeze_duration AS freeze_duration,
    s.quality_limited_share AS quality_limited_share,
    p.local_candidate_types AS local_candidate_types,
    p.remote_candidate_types AS remote_candidate_types,
    p.relay_protocols AS relay_protocols,
    p.relayed AS relayed
FROM
(
    SELECT
        tenant, conference_id, call_id, participant_id, session_id, peer_connection_id, kind, direction,
        min(started) AS started,
        max(ended) AS ended,
        anyLast(codec) AS codec,
        countMerge(intervals) AS intervals,
        quantilesMerge(0.05, 0.5)(mos_q) AS mos_quantiles,
        avgMerge(loss_avg) AS loss_avg,
        quantileMerge(0.95)(loss_p95) AS loss_p95,
        quantileMerge(0.95)(jitter_p95) AS jitter_p95,
        quantileMerge(0.95)(rtt_p95) AS rtt_p95,
        avgMerge(bitrate_avg) AS bitrate_avg,
        sum(freeze_count) AS freeze_count,
        sum(freeze_duration) AS freeze_duration,
        avgMerge(quality_limited_avg) AS quality_limited_share
    FROM {db}.call_stream_state
    GROUP BY tenant, conference_id, call_id, participant_id, session_id, peer_connection_id, kind, direction
) AS s
LEFT JOIN
(
    SELECT
        tenant, session_id, peer_connection_id,
        groupUniqArrayArray(local_candidate_types) AS local_candidate_types,
        groupUniqArrayArray(remote_candidate_types) AS remote_candidate_types,
        groupUniqArrayArray(relay_protocols) AS relay_protocols,
        max(relayed) AS relayed
    FROM {db}.call_path_state
    GROUP BY tenant, session_id, peer_connection_id
) AS p ON s.tenant = p.tenant AND s.session_id = p.session_id AND s.peer_connection_id = p.peer_connection_id;
