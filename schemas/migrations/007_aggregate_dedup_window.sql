-- The aggregate tables deduplicate like the raw tables they are fed from. A batch retried
-- after a timeout that hid its success carries the same deduplication token: ClickHouse drops
-- it in rtp_samples, and the views' blocks it derives from that token too, but only where the
-- target keeps a deduplication window. Without one the aggregates counted the retry twice
-- (measured on chdb 26.7, docs/dedup-race.md).

ALTER TABLE {db}.quality_minute_state MODIFY SETTING non_replicated_deduplication_window = 1000;

ALTER TABLE {db}.call_stream_state MODIFY SETTING non_replicated_deduplication_window = 1000;

ALTER TABLE {db}.call_path_state MODIFY SETTING non_replicated_deduplication_window = 1000;
