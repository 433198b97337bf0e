// Re-applies a tenant's retention to the rows it already has. `retention_days` is in the raw
// tables' partition key and `aggregate_retention_days` in the aggregates' partition key and
// ORDER BY, so ALTER UPDATE cannot change them; re-inserting raw rows would fire the
// materialised views and count every interval twice. Per table, therefore:
//   1. delete the tenant's rows already past the new retention (a shortening acts now);
//   2. copy the tenant's other rows with the new values into `<table>__retention_fill__<tenant>`
//      (CREATE TABLE ... AS: no views read it), then RENAME it `..._ready__` (the copy is complete);
//   3. delete from the table the rows that were copied, exactly (by the frame, or the
//      aggregate key, they came from), and only those: rows written meanwhile stay;
//   4. MOVE each partition of the ready table into the table (a part operation: no view fires)
//      and drop the ready table.
// A crash anywhere is repaired by running it again: before step 2's RENAME nothing changed
// (the fill table is dropped and refilled); after it the ready table holds the only copy of
// the rows not yet moved, and steps 3-4 are idempotent (MOVE, unlike ATTACH ... FROM, takes
// each partition out of the ready table, so a partition is never moved twice). Between steps
// 3 and 4 the tenant's moved rows are not visible to queries: the window measured in the
// README. Rows another processor still wrote with the old values (before it read the change)
// are caught by another pass.
// One server only: on a cluster the scratch tables would live on one node while the rows and
// their parts are on every shard, and ClickHouse creates no Replicated copy of a table
// outside ON CLUSTER (the default replica path names the table's uuid), so a change of
// retention is refused there before anything is written (retentionMoveRefusal).
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client'
import { oneServer, type ClickHouseLayout } from './clickhouse-layout.ts'
import { internalQueryLimits } from './query-limits.ts'
import { isTenantName } from '../lib/tenant-name.ts'

export interface RetentionTarget {
  rawDays: number
  aggregateDays: number
}

interface RetentionTable {
  table: string
  /** Raw tables carry both values (the aggregates' one is what their views pass on). */
  raw: boolean
  /** What the TTL counts from. */
  time: string
  /** Identifies the rows one insert wrote: raw rows by their frame, aggregate rows by their key. */
  identity: string[]
}

export const retentionTables: readonly RetentionTable[] = [
  { table: 'rtp_samples', raw: true, time: 'toDateTime(ts)', identity: ['session_id', 'seq'] },
  { table: 'connection_samples', raw: true, time: 'toDateTime(ts)', identity: ['session_id', 'seq'] },
  { table: 'call_events', raw: true, time: 'toDateTime(ts)', identity: ['session_id', 'seq'] },
  { table: 'stream_issues', raw: false, time: 'toDateTime(ts)', identity: ['session_id', 'seq'] },
  { table: 'quality_minute_state', raw: false, time: 'minute', identity: ['minute', 'conference_id', 'kind', 'direction'] },
  { table: 'call_stream_state', raw: false, time: 'toDateTime(started)', identity: ['conference_id', 'call_id', 'participant_id', 'session_id', 'peer_connection_id', 'kind', 'direction'] },
  { table: 'call_path_state', raw: false, time: 'toDateTime(started)', identity: ['conference_id', 'call_id', 'participant_id', 'session_id', 'peer_connection_id'] },
]

export interface RetentionMoveResult {
  /** Rows given the new retention, per table. */
  moved: Record<string, number>
  /** Rows deleted because they were past the new retention, per table. */
  deleted: Record<string, number>
  /** Passes over the tables (more than one when rows with the old values arrived meanwhile). */
  passes: number
}

const maxPasses = 3

/** Why existing rows cannot be given a new retention in this layout; undefined: they can. */
export function retentionMoveRefusal(layout: ClickHouseLayout): string | undefined {
  if (!layout.cluster) return undefined
  return `changing a tenant's retention moves its existing rows through scratch tables and partition moves on one server; on the ClickHouse cluster ${layout.cluster}${layout.sharded ? ' (sharded)' : ''} that is not supported yet, so nothing was changed. New retention values take effect through the policy file (CALLMASK_POLICY_FILE) for new rows`
}

export interface RetentionMoveOptions {
  /** The layout the tables are in (clickhouse-layout.ts); only one server is supported. */
  layout?: ClickHouseLayout
  /** Test hook: called after the copied rows were deleted and after each partition moved; a throw stands for a crash there. */
  interrupt?: (table: string, step: 'deleted' | 'partition-moved') => void
}

export async function applyTenantRetention(clickhouse: ClickHouseClient, database: string, tenant: string, target: RetentionTarget, options: RetentionMoveOptions = {}): Promise<RetentionMoveResult> {
  if (!isTenantName(tenant)) throw new Error('not a tenant id')
  const refusal = retentionMoveRefusal(options.layout ?? oneServer)
  if (refusal) throw new Error(refusal)
  const sql = createSql(clickhouse, database, tenant, target, options)
  const moved: Record<string, number> = {}
  const deleted: Record<string, number> = {}
  for (const spec of retentionTables) {
    moved[spec.table] = 0
    deleted[spec.table] = await deletePastRetention(sql, spec)
  }
  let passes = 0
  while (passes < maxPasses) {
    passes += 1
    for (const spec of retentionTables) moved[spec.table]! += await moveTable(sql, spec)
    let left = 0
    for (const spec of retentionTables) left += await sql.count(`SELECT count() AS n FROM ${sql.name(spec.table)} WHERE tenant = {tenant:String} AND ${differs(spec)}`)
    if (left === 0) break
  }
  return { moved, deleted, passes }
}

/** The tenant's rows that do not carry the target values (params raw, aggregate). */
function differs(spec: RetentionTable, prefix = ''): string {
  const aggregate = `${prefix}aggregate_retention_days != {aggregate:UInt16}`
  return spec.raw ? `(${prefix}retention_days != {raw:UInt16} OR ${aggregate})` : aggregate
}

async function deletePastRetention(sql: Sql, spec: RetentionTable): Promise<number> {
  const past = `tenant = {tenant:String} AND ${spec.time} + toIntervalDay(${spec.raw ? '{raw:UInt16}' : '{aggregate:UInt16}'}) <= now()`
  const n = await sql.count(`SELECT count() AS n FROM ${sql.name(spec.table)} WHERE ${past}`)
  if (n > 0) await sql.run(`DELETE FROM ${sql.name(spec.table)} WHERE ${past}`)
  return n
}

async function moveTable(sql: Sql, spec: RetentionTable): Promise<number> {
  const table = sql.name(spec.table)
  const fill = sql.scratch(spec.table, 'fill')
  const ready = sql.scratch(spec.table, 'ready')
  if (!(await sql.exists(ready.bare))) {
    await sql.run(`DROP TABLE IF EXISTS ${fill.quoted}`)
    const candidates = await sql.count(`SELECT count() AS n FROM ${table} WHERE tenant = {tenant:String} AND ${differs(spec)}`)
    if (candidates === 0) return 0
    await sql.run(`CREATE TABLE ${fill.quoted} AS ${table}`)
    // The subquery keeps WHERE on the stored values: with REPLACE in the same SELECT,
    // ClickHouse would read `retention_days` in WHERE as the replacement.
    const replace = spec.raw ? '{raw:UInt16} AS retention_days, {aggregate:UInt16} AS aggregate_retention_days' : '{aggregate:UInt16} AS aggregate_retention_days'
    await sql.run(`INSERT INTO ${fill.quoted} SELECT * REPLACE (${replace}) FROM (SELECT * FROM ${table} WHERE tenant = {tenant:String} AND ${differs(spec)})`)
    await sql.run(`RENAME TABLE ${fill.quoted} TO ${ready.quoted}`)
  }
  const rows = await sql.count(`SELECT count() AS n FROM ${ready.quoted}`)
  if (rows > 0) {
    // The values this copy carries: a rerun after a crash finishes the crashed run first.
    const [copied] = await sql.rows<{ raw: number; aggregate: number }>(
      `SELECT any(${spec.raw ? 'retention_days' : 'aggregate_retention_days'}) AS raw, any(aggregate_retention_days) AS aggregate FROM ${ready.quoted}`,
    )
    const key = spec.identity.join(', ')
    await sql.run(`DELETE FROM ${table} WHERE tenant = {tenant:String} AND ${differs(spec)} AND (${key}) IN (SELECT ${key} FROM ${ready.quoted})`, { raw: copied!.raw, aggregate: copied!.aggregate })
    sql.interrupt?.(spec.table, 'deleted')
    for (const partition of await sql.partitions(ready.bare)) {
      await sql.run(`ALTER TABLE ${ready.quoted} MOVE PARTITION ID '${partition}' TO TABLE ${table}`)
      sql.interrupt?.(spec.table, 'partition-moved')
    }
  }
  await sql.run(`DROP TABLE IF EXISTS ${ready.quoted}`)
  return rows
}

type Sql = ReturnType<typeof createSql>

function createSql(clickhouse: ClickHouseClient, database: string, tenant: string, target: RetentionTarget, options: RetentionMoveOptions) {
  const base = { tenant, raw: target.rawDays, aggregate: target.aggregateDays }
  // chdb keeps settings per session: state every one these statements depend on.
  const settings: ClickHouseSettings = { ...internalQueryLimits(), lightweight_deletes_sync: '2', mutations_sync: '2' }
  const rows = async <T>(query: string, params: Record<string, unknown> = {}) => {
    const result = await clickhouse.query({ query, query_params: { ...base, ...params }, format: 'JSONEachRow', clickhouse_settings: settings })
    return result.json<T>()
  }
  return {
    interrupt: options.interrupt,
    name: (table: string) => `${database}.${table}`,
    /** The tenant is a tenant name (lib/tenant-name.ts), so the quoted name is a safe identifier. */
    scratch: (table: string, stage: 'fill' | 'ready') => {
      const bare = `${table}__retention_${stage}__${tenant}`
      return { bare, quoted: `${database}.\`${bare}\`` }
    },
    run: (query: string, params: Record<string, unknown> = {}) => clickhouse.command({ query, query_params: { ...base, ...params }, clickhouse_settings: settings }),
    rows,
    count: async (query: string) => Number((await rows<{ n: string }>(query))[0]?.n ?? 0),
    exists: async (table: string) => Number((await rows<{ n: string }>('SELECT count() AS n FROM system.tables WHERE database = {database:String} AND name = {table:String}', { database, table }))[0]?.n) > 0,
    partitions: async (table: string) => {
      const found = await rows<{ partition_id: string }>('SELECT DISTINCT partition_id FROM system.parts WHERE database = {database:String} AND table = {table:String} AND active ORDER BY partition_id', { database, table })
      // Partition ids of these keys are YYYYMMDD; anything else is refused rather than quoted.
      return found.map(({ partition_id }) => {
        if (!/^\d{8}$/.test(partition_id)) throw new Error(`unexpected partition id in ${table}`)
        return partition_id
      })
    },
  }
}
