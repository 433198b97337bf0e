-- The audit log (DESIGN.md §6): every request to the HTTP API with a key (analyst queries,
-- exports, erasures, key and retention operations): who (the API key's id), what (the
-- operation and its target), when, and the result. Targets are pseudonyms or tenant names,
-- never a raw identifier. Kept apart from the analyst tables (the SQL endpoint cannot read
-- it) with its own retention, CALLMASK_AUDIT_RETENTION_DAYS (default two years).

CREATE TABLE IF NOT EXISTS {db}.audit_log
(
    ts DateTime64(3, 'UTC'),
    retention_days UInt16,
    key_id String,
    role LowCardinality(String),
    tenant String,
    operation LowCardinality(String),
    target String,
    result LowCardinality(String),
    status UInt16,
    details String
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(toDateTime(ts) + toIntervalDay(retention_days))
ORDER BY (ts, key_id)
TTL toDateTime(ts) + toIntervalDay(retention_days)
SETTINGS ttl_only_drop_parts = 1;
