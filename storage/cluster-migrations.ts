// The cluster variant of the migrations: the same files, each statement rewritten for a
// ClickHouse cluster (CLICKHOUSE_CLUSTER): DDL runs `ON CLUSTER`, and the MergeTree family
// becomes its Replicated engine with the server's default replica path and name
// (`default_replica_path`, `default_replica_name`: '/clickhouse/tables/{uuid}/{shard}' and
// '{replica}' unless configured). One shard with replicas: more shards need Distributed
// tables in front, which callmask does not create. Replicated tables deduplicate inserts by
// default, so the non-replicated deduplication setting is dropped.

const engines: [RegExp, string][] = [
  [/ENGINE = AggregatingMergeTree\b(?!\()/g, 'ENGINE = ReplicatedAggregatingMergeTree'],
  [/ENGINE = MergeTree\b(?!\()/g, 'ENGINE = ReplicatedMergeTree'],
]

/** The cluster name is validated by the config schema (an identifier), never user input. */
export function clusterStatement(statement: string, cluster: string): string {
  const onCluster = ` ON CLUSTER ${cluster}`
  let out = statement
    .replace(/^(CREATE (?:TABLE|VIEW|MATERIALIZED VIEW|DATABASE) IF NOT EXISTS [\w.]+)/, `$1${onCluster}`)
    .replace(/^(ALTER TABLE [\w.]+)/, `$1${onCluster}`)
  for (const [pattern, replicated] of engines) out = out.replace(pattern, replicated)
  // A statement that only sets the non-replicated window sets the replicated one instead.
  return out.replace(/,\s*non_replicated_deduplication_window = \d+/g, '').replace(/MODIFY SETTING non_replicated_deduplication_window = (\d+)/g, 'MODIFY SETTING replicated_deduplication_window = $1')
}
