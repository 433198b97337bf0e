// Where a DELETE, an ALTER ... DELETE/UPDATE or APPLY DELETED MASK of a callmask table goes,
// in each layout (clickhouse-layout.ts):
//   one server              `db.table`
//   one shard of replicas   `db.table`: a Replicated table passes its mutations to every replica through Keeper
//   several shards          `db.table_local ON CLUSTER c`: a Distributed table takes no lightweight DELETE
//                           (ClickHouse: "DELETE query is not supported"), so it goes to every shard's local table
// A mutation must not read another table (IN (SELECT ...)): on Replicated tables every
// replica evaluates it on its own, where a scratch table of the initiator does not exist, and
// ClickHouse refuses such non-deterministic mutations there; pass the values as parameters.
import { localTableOf, type ClickHouseLayout } from './clickhouse-layout.ts'

/** The target clause of a mutation of `table` (a name callmask reads through): `DELETE FROM <this> WHERE ...`. */
export function mutationTarget(layout: ClickHouseLayout, database: string, table: string): string {
  if (!layout.sharded) return `${database}.${table}`
  return `${database}.${localTableOf(table)} ON CLUSTER ${layout.cluster}`
}

/**
 * Settings of an INSERT through a table callmask reads through: on shards the Distributed
 * table writes to the shards before it answers (by default it queues the rows on the node
 * and sends them later, so an acknowledged insert could still be lost).
 */
export function insertThroughSettings(layout: ClickHouseLayout): Record<string, 0 | 1> {
  return layout.sharded ? { distributed_foreground_insert: 1 } : {}
}
