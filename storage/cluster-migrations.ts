// The cluster variant of the migrations: the same files, each statement rewritten for a
// ClickHouse cluster (CLICKHOUSE_CLUSTER): DDL runs `ON CLUSTER`, and the MergeTree family
// becomes its Replicated engine with the server's default replica path and name
// (`default_replica_path`, `default_replica_name`: '/clickhouse/tables/{uuid}/{shard}' and
// '{replica}' unless configured). This is the one-shard variant and the local tables of the
// sharded one (sharded-migrations.ts puts Distributed tables in front). Replicated tables
// deduplicate inserts by default, so the non-replicated deduplication setting is dropped.
// Every engine of the family is replicated (the erasure list's ReplacingMergeTree too: every
// replica's processors must read the same list).

// MergeTree, AggregatingMergeTree, ReplacingMergeTree ... without arguments of their own.
const mergeTreeFamily = /ENGINE = (?!Replicated)(\w*)MergeTree\b(?!\()/g

/** The cluster name is validated by the config schema (an identifier), never user input. */
export function clusterStatement(statement: string, cluster: string): string {
  const onCluster = ` ON CLUSTER ${cluster}`
  const out = statement
    .replace(/^(CREATE (?:TABLE|VIEW|MATERIALIZED VIEW|DATABASE) IF NOT EXISTS [\w.]+)/, `$1${onCluster}`)
    .replace(/^(ALTER TABLE [\w.]+)/, `$1${onCluster}`)
    .replace(mergeTreeFamily, 'ENGINE = Replicated$1MergeTree')
  // A statement that only sets the non-replicated window sets the replicated one instead.
  return out.replace(/,\s*non_replicated_deduplication_window = \d+/g, '').replace(/MODIFY SETTING non_replicated_deduplication_window = (\d+)/g, 'MODIFY SETTING replicated_deduplication_window = $1')
}
