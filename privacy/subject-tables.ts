// Deleting the rows that carry a set of pseudonyms, table by table, with their counts:
// lightweight DELETE (ClickHouse's recommendation for deleting rows: the rows vanish from
// every query at once, without rewriting whole parts), then APPLY DELETED MASK on the tables
// that had some, so the deleted values are gone from disk too rather than waiting for a
// merge (README "Erasure and export" has the trade-off). Rows are counted through the table
// callmask reads (on shards the Distributed one) and deleted where mutation-target.ts says.
import type { ClickHouseClient } from '@clickhouse/client'
import { oneServer, type ClickHouseLayout } from '../storage/clickhouse-layout.ts'
import { mutationTarget } from '../storage/mutation-target.ts'
import { internalQueryLimits } from '../storage/query-limits.ts'
import type { DataTable } from './data-tables.ts'

const mutationSettings = { ...internalQueryLimits(), mutations_sync: '2', lightweight_deletes_sync: '2' }

export async function countRows(clickhouse: ClickHouseClient, database: string, table: string, where: string, params: Record<string, unknown>): Promise<number> {
  const result = await clickhouse.query({ query: `SELECT count() AS n FROM ${database}.${table} WHERE ${where}`, query_params: params, format: 'JSONEachRow', clickhouse_settings: internalQueryLimits() })
  const [row] = await result.json<{ n: string }>()
  return Number(row?.n ?? 0)
}

/** Deletes the rows `where` selects from every table; counts per table (tables with none omitted). */
export async function deleteRows(
  clickhouse: ClickHouseClient,
  database: string,
  tables: readonly DataTable[],
  whereOf: (table: DataTable) => string,
  params: Record<string, unknown>,
  layout: ClickHouseLayout = oneServer,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of tables) {
    const where = whereOf(table)
    const count = await countRows(clickhouse, database, table.name, where, params)
    if (count === 0) continue
    await clickhouse.command({ query: `DELETE FROM ${mutationTarget(layout, database, table.name)} WHERE ${where}`, query_params: params, clickhouse_settings: mutationSettings })
    counts[table.name] = count
  }
  return counts
}

/** Rewrites the parts of the tables that have lightweight-deleted rows, so the values leave the disk. */
export async function removeDeletedFromDisk(clickhouse: ClickHouseClient, database: string, tables: Iterable<string>, layout: ClickHouseLayout = oneServer): Promise<void> {
  for (const table of new Set(tables)) await clickhouse.command({ query: `ALTER TABLE ${mutationTarget(layout, database, table)} APPLY DELETED MASK`, clickhouse_settings: mutationSettings })
}

export function addCounts(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [table, count] of Object.entries(from)) into[table] = (into[table] ?? 0) + count
  return into
}
