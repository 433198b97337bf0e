// The sharded variant of the migrations (CLICKHOUSE_CLUSTER with CLICKHOUSE_SHARDED=true):
// the same versioned files, each statement rewritten for a cluster of several shards, each
// of replicas:
//   CREATE TABLE x (MergeTree family)  ->  x_local: the statement as the one-shard cluster
//                                          variant makes it (ON CLUSTER, Replicated engine),
//                                          and x: ON CLUSTER AS x_local ENGINE = Distributed
//   CREATE MATERIALIZED VIEW           ->  reads and writes the local tables: each shard
//                                          aggregates its own rows; reads through the
//                                          Distributed tables merge the states across shards
//   CREATE VIEW                        ->  unchanged names: the views read the Distributed tables
//   ALTER TABLE x (column changes)     ->  x_local and x, so both keep the same columns
//   ALTER TABLE x (anything else)      ->  x_local only (settings, TTL, indexes belong to the storage)
// Sharding key: cityHash64(tenant, session_id) where the table has session_id, so a session's
// raw rows, its issues and its call aggregates live on one shard (a session's rows are
// erased, moved and aggregated together); else cityHash64 of the table's sorting key, so
// rows an Aggregating or Replacing engine must merge (same key) land on the same shard when
// they are inserted through the Distributed table. A deterministic key also keeps a retried
// insert's rows on the shards they went to the first time, where they are deduplicated.
import { clusterStatement } from './cluster-migrations.ts'
import { localTableOf } from './clickhouse-layout.ts'

export interface ShardedTables {
  cluster: string
  database: string
  /** The tables the migrations create with a MergeTree-family engine: those that get a local table. */
  tables: ReadonlySet<string>
}

const createTable = /^CREATE TABLE IF NOT EXISTS (\w+)\.(\w+)\b/
const mergeTreeEngine = /\bENGINE = \w*MergeTree\b/
const alterTable = /^ALTER TABLE (\w+)\.(\w+)\b/
// An ALTER's clauses: the first after the table name, the others after a comma.
const alterClause = /(?:^ALTER TABLE [\w.]+|,)\s*(ADD|DROP|MODIFY|RENAME|COMMENT|CLEAR|MATERIALIZE|RESET|REMOVE|DELETE|UPDATE|APPLY|FREEZE|UNFREEZE|ATTACH|DETACH|REPLACE|MOVE|FETCH)\s+(\w+)/g
const columnVerbs = new Set(['ADD', 'DROP', 'MODIFY', 'RENAME', 'COMMENT'])

/** The tables that become `<name>_local` plus a Distributed `<name>`. */
export function shardedTablesOf(statements: readonly string[]): Set<string> {
  const tables = new Set<string>()
  for (const statement of statements) {
    const created = statement.match(createTable)
    if (created && mergeTreeEngine.test(statement)) tables.add(created[2]!)
  }
  return tables
}

/** The Distributed table's sharding key for a CREATE TABLE statement (see the header). */
export function shardingKeyOf(createStatement: string): string {
  const columns = createStatement.slice(createStatement.indexOf('('), createStatement.search(/\)\s*ENGINE =/))
  if (/(^|[(,])\s*tenant\s/m.test(columns) && /(^|[(,])\s*session_id\s/m.test(columns)) return 'cityHash64(tenant, session_id)'
  const orderBy = createStatement.match(/\bORDER BY \(([^)]+)\)|\bORDER BY (\w+)/)
  const key = orderBy?.[1] ?? orderBy?.[2]
  if (!key) throw new Error(`no sharding key for ${createStatement.slice(0, 80)}: the table has neither session_id nor a sorting key`)
  return `cityHash64(${key})`
}

/** One statement of a migration as the statements the sharded cluster runs instead. */
export function shardedStatements(statement: string, shards: ShardedTables): string[] {
  const { cluster, database, tables } = shards
  const created = statement.match(createTable)
  if (created && tables.has(created[2]!)) {
    const name = created[2]!
    const local = localTableOf(name)
    return [
      clusterStatement(statement.replace(createTable, `CREATE TABLE IF NOT EXISTS $1.${local}`), cluster),
      `CREATE TABLE IF NOT EXISTS ${database}.${name} ON CLUSTER ${cluster} AS ${database}.${local} ENGINE = Distributed(${cluster}, ${database}, ${local}, ${shardingKeyOf(statement)})`,
    ]
  }
  if (statement.startsWith('CREATE MATERIALIZED VIEW')) {
    const toLocal = new RegExp(`\\b(TO|FROM) ${database}\\.(\\w+)\\b`, 'g')
    return [clusterStatement(statement.replace(toLocal, (all, word: string, table: string) => (tables.has(table) ? `${word} ${database}.${localTableOf(table)}` : all)), cluster)]
  }
  const altered = statement.match(alterTable)
  if (altered && tables.has(altered[2]!)) {
    const local = clusterStatement(statement.replace(alterTable, `ALTER TABLE $1.${localTableOf(altered[2]!)}`), cluster)
    const clauses = [...statement.matchAll(alterClause)].map(([, verb, object]) => (columnVerbs.has(verb!) && object === 'COLUMN' ? 'column' : 'other'))
    if (clauses.length === 0) throw new Error(`cannot tell what ${statement.slice(0, 80)} changes`)
    if (clauses.every((c) => c === 'other')) return [local]
    if (clauses.every((c) => c === 'column')) return [local, clusterStatement(statement, cluster)]
    throw new Error(`${statement.slice(0, 80)}... mixes column changes (local and Distributed tables) with other changes (local tables only): split it into two statements`)
  }
  return [clusterStatement(statement, cluster)]
}
