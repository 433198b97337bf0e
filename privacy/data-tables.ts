// The tables that hold data about people, read from ClickHouse itself (system.columns), so a
// table or column a later migration adds is covered by erasure and export without a change
// here. On shards a table is named as callmask reads it: `rtp_samples` (Distributed), whose
// storage is `rtp_samples_local` (its engine and columns are the local table's). Excluded: the audit log (the record of what was done, kept with its own retention;
// it holds pseudonyms as targets, never raw values), the erasure list, the schema version
// table, and erasure work tables. Views are read through their tables.
import type { ClickHouseClient } from '@clickhouse/client'
import { distributedNameOf, localTablesBehindDistributed } from '../storage/clickhouse-layout.ts'
import { internalQueryLimits } from '../storage/query-limits.ts'

export interface DataTable {
  name: string
  engine: string
  /** Every column, in table order. */
  columns: { name: string; type: string }[]
  /** Columns whose values are strings (plain, LowCardinality, Nullable) or arrays of strings. */
  stringColumns: { name: string; array: boolean }[]
}

const notSubjectData = /^(audit_log|erasure_list|schema_migrations|erasure_groups_.*)$/
const stringType = /^(LowCardinality\()?(Nullable\()?String\)*$/
const stringArrayType = /^Array\((LowCardinality\()?(Nullable\()?String\)*\)$/

export async function dataTables(clickhouse: ClickHouseClient, database: string): Promise<DataTable[]> {
  const result = await clickhouse.query({
    query: `SELECT t.name AS table, t.engine AS engine, c.name AS column, c.type AS type
            FROM system.tables AS t INNER JOIN system.columns AS c ON c.database = t.database AND c.table = t.name
            WHERE t.database = {db:String} AND (t.engine LIKE '%MergeTree' OR t.engine = 'Distributed')
            ORDER BY t.name, c.position`,
    query_params: { db: database },
    format: 'JSONEachRow',
    clickhouse_settings: internalQueryLimits(),
  })
  const found = await result.json<{ table: string; engine: string; column: string; type: string }>()
  const behind = localTablesBehindDistributed(found.map((row) => ({ name: row.table, engine: row.engine })))
  const tables = new Map<string, DataTable>()
  for (const row of found) {
    if (row.engine === 'Distributed') continue
    const name = behind.has(row.table) ? distributedNameOf(row.table) : row.table
    if (notSubjectData.test(name)) continue
    let table = tables.get(name)
    if (!table) tables.set(name, (table = { name, engine: row.engine, columns: [], stringColumns: [] }))
    table.columns.push({ name: row.column, type: row.type })
    if (stringType.test(row.type)) table.stringColumns.push({ name: row.column, array: false })
    else if (stringArrayType.test(row.type)) table.stringColumns.push({ name: row.column, array: true })
  }
  return [...tables.values()]
}

/** SQL true for a row carrying any of `{needles:Array(String)}` in any string column (tenant aside). */
export function carriesAnyCondition(table: DataTable): string {
  const tests = table.stringColumns
    .filter((column) => column.name !== 'tenant')
    .map((column) => {
      const quoted = '`' + column.name.replaceAll('`', '') + '`'
      return column.array ? `arrayExists(x -> multiSearchAny(ifNull(x, ''), {needles:Array(String)}), ${quoted})` : `multiSearchAny(ifNull(${quoted}, ''), {needles:Array(String)})`
    })
  return tests.length === 0 ? '0' : `(${tests.join(' OR ')})`
}
