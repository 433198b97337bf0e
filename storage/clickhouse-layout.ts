// How callmask's tables are laid out on ClickHouse, from CLICKHOUSE_CLUSTER and
// CLICKHOUSE_SHARDED: one server (or chdb); one shard of replicas (Replicated tables, DDL
// ON CLUSTER); or several shards, where every table `<name>` is a Distributed table over the
// Replicated `<name>_local` of each shard (storage/sharded-migrations.ts). Reads and inserts
// use `<name>` in every layout; only mutations and part operations need to know more
// (mutation-target.ts).
import type { ClickHouseClient } from '@clickhouse/client'

export interface ClickHouseLayout {
  /** The cluster the DDL runs ON; unset: one server. */
  cluster?: string | undefined
  /** Several shards: Distributed tables in front of `<name>_local`. Needs `cluster`. */
  sharded?: boolean | undefined
}

export const oneServer: ClickHouseLayout = {}

export function layoutOf(config: { clickhouseCluster?: string | undefined; clickhouseSharded?: boolean | undefined }): ClickHouseLayout {
  return { cluster: config.clickhouseCluster, sharded: Boolean(config.clickhouseCluster && config.clickhouseSharded) }
}

export const localSuffix = '_local'

/** The shard-local table behind a Distributed table. */
export const localTableOf = (table: string): string => `${table}${localSuffix}`

/** The Distributed table in front of a shard-local one (the inverse of localTableOf). */
export const distributedNameOf = (local: string): string => local.slice(0, -localSuffix.length)

/** The name callmask reads and inserts through, for a table a view or system.tables names. */
export function logicalTableOf(layout: ClickHouseLayout, table: string): string {
  return layout.sharded && table.endsWith(localSuffix) ? distributedNameOf(table) : table
}

/** Of a database's tables, the local ones behind a Distributed table of their logical name (reported under that name). */
export function localTablesBehindDistributed(tables: readonly { name: string; engine: string }[]): Set<string> {
  const distributed = new Set(tables.filter((t) => t.engine === 'Distributed').map((t) => t.name))
  return new Set(tables.filter((t) => t.name.endsWith(localSuffix) && distributed.has(distributedNameOf(t.name))).map((t) => t.name))
}

/**
 * The layout the migrations left, read from the server: for code that is not handed the
 * configuration (the processor's duplicate repair). schema_migrations is a Distributed table
 * exactly when the sharded variant created the schema; its engine names the cluster.
 */
export async function layoutOfSchema(client: ClickHouseClient, database: string): Promise<ClickHouseLayout> {
  const result = await client.query({
    query: 'SELECT engine, engine_full FROM system.tables WHERE database = {database:String} AND name = {table:String}',
    query_params: { database, table: 'schema_migrations' },
    format: 'JSONEachRow',
  })
  const [table] = await result.json<{ engine: string; engine_full: string }>()
  if (table?.engine !== 'Distributed') return oneServer
  const cluster = table.engine_full.match(/^Distributed\('?(\w+)'?/)?.[1]
  if (!cluster) throw new Error(`cannot read the cluster of ${database}.schema_migrations from ${table.engine_full.slice(0, 80)}`)
  return { cluster, sharded: true }
}
