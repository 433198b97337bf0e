-- Which insert wrote a row (issue 14, the race of two processors holding the same message).
-- A processor that stalled past the consumer's ack wait can insert a message that another
-- processor, to which JetStream redelivered it, inserted too: the look-up before an insert and
-- the insert are not atomic. Every insert therefore stamps its rows with an id of its own
-- (a hash of the processor's random salt and the frames it writes, so a retry of the same
-- insert keeps it), and every batch is checked after its insert: a frame (tenant, session_id,
-- seq) held under two insert ids was written twice, and storage/duplicate-repair.ts keeps the
-- copy with the smallest id. 0: written before this migration.

ALTER TABLE {db}.rtp_samples ADD COLUMN IF NOT EXISTS insert_id UInt64 DEFAULT 0;

ALTER TABLE {db}.connection_samples ADD COLUMN IF NOT EXISTS insert_id UInt64 DEFAULT 0;

ALTER TABLE {db}.call_events ADD COLUMN IF NOT EXISTS insert_id UInt64 DEFAULT 0;

ALTER TABLE {db}.stream_issues ADD COLUMN IF NOT EXISTS insert_id UInt64 DEFAULT 0;

-- Which copy came first: the block number of the insert that wrote it, kept through merges
-- (without this setting a merged part forgets it). Block numbers grow with every insert into
-- a table (per partition on a replicated table, allocated through Keeper), and both copies of
-- a frame fall in the same partition, so the copy with the smaller one was written first.

ALTER TABLE {db}.rtp_samples MODIFY SETTING enable_block_number_column = 1;

ALTER TABLE {db}.connection_samples MODIFY SETTING enable_block_number_column = 1;

ALTER TABLE {db}.call_events MODIFY SETTING enable_block_number_column = 1;

ALTER TABLE {db}.stream_issues MODIFY SETTING enable_block_number_column = 1;
