-- The erasure list (README "Erasure and export"): the pseudonyms of data subjects erased on
-- request. The processors read it every few seconds and drop rows that carry one of them
-- before they insert, so frames of an erased subject still waiting in JetStream are never
-- stored afterwards. Pseudonyms only, never a raw identifier. An entry is needed only as long
-- as such a frame can wait: the frames stream's max age plus a day (expires_at).

CREATE TABLE IF NOT EXISTS {db}.erasure_list
(
    tenant LowCardinality(String),
    pseudonym String,
    requested_at DateTime64(3, 'UTC'),
    expires_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant, pseudonym)
TTL expires_at;
