-- Live issues (issue 9): one row when an issue starts and one when it ends, per stream (an
-- rtp report: report_type/report_id), per peer connection (report_type 'connection' for
-- RTT, 'ice' for ICE disconnects). `since` is the first interval of the run that started or
-- ended it, `ts` the interval that confirmed it; `value` the metric then, `threshold` the
-- one it crossed. Thresholds and sources: processor/quality/issue-thresholds.ts.
-- Identifiers are the same pseudonyms as in the raw tables. Kept as long as the aggregates.

CREATE TABLE IF NOT EXISTS {db}.stream_issues
(
    tenant LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    aggregate_retention_days UInt16,
    conference_id String,
    call_id String,
    participant_id String,
    peer_connection_id String,
    session_id String,
    seq UInt64,
    report_type LowCardinality(String),
    report_id String,
    kind LowCardinality(String),
    issue LowCardinality(String),
    state LowCardinality(String),
    since DateTime64(3, 'UTC'),
    value Nullable(Float64),
    threshold Float64,
    INDEX session_idx session_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(toDateTime(ts) + toIntervalDay(aggregate_retention_days))
ORDER BY (tenant, ts, conference_id, participant_id)
TTL toDateTime(ts) + toIntervalDay(aggregate_retention_days)
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

-- Issues whose last transition is a start: still going on (or the stream stopped reporting).
CREATE VIEW IF NOT EXISTS {db}.active_issues AS
SELECT
    tenant, conference_id, call_id, participant_id, peer_connection_id, session_id, report_type, report_id, issue,
    argMax(kind, ts) AS kind,
    argMax(since, ts) AS since,
    max(ts) AS confirmed,
    argMax(value, ts) AS value,
    argMax(threshold, ts) AS threshold
FROM {db}.stream_issues
GROUP BY tenant, conference_id, call_id, participant_id, peer_connection_id, session_id, report_type, report_id, issue
HAVING argMax(state, ts) = 'start';
