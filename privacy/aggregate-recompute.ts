// Aggregates after an erasure. Materialised views see inserts only, so deleting a subject's
// raw rows leaves their share inside aggregate rows that mix several people (a minute of a
// conference). For every view into an aggregate table, the groups the subject's raw rows fed
// are noted first (in a work table, so a rerun after a crash still knows them), then, once
// the raw rows are gone, those groups are deleted and rebuilt from the remaining raw rows
// with the view's own SELECT. Exact, because raw rows outlive nothing they fed: a group
// whose raw rows expired has expired with them or is only in the aggregate, and then holds
// no row of the subject that could be found (see README "Erasure and export", limits).
// On a cluster the views read and write shard-local tables (storage/sharded-migrations.ts):
// the groups are read and rebuilt through the tables callmask reads (the Distributed ones),
// and the noted groups reach the DELETE as parameters, never as a subquery of the work table,
// which exists on this node only (storage/mutation-target.ts).
import type { ClickHouseClient } from '@clickhouse/client'
import { randomUUID } from 'node:crypto'
import { logicalTableOf, oneServer, type ClickHouseLayout } from '../storage/clickhouse-layout.ts'
import { insertThroughSettings, mutationTarget } from '../storage/mutation-target.ts'
import { internalQueryLimits } from '../storage/query-limits.ts'
import { PrivacyOperationError } from './operation-error.ts'

export interface AggregateView {
  name: string
  /** The table the view reads, as callmask reads it (on shards the Distributed one). */
  source: string
  /** The table the view writes, as callmask reads it. */
  target: string
  select: string
  /** The source as the view's SELECT names it (on shards the local table). */
  selectSource: string
  /** The view's output columns (the target's columns it fills). */
  columns: string[]
  /** Output columns that identify a group (those of the GROUP BY). */
  groupColumns: string[]
}

const settings = { ...internalQueryLimits(), mutations_sync: '2', lightweight_deletes_sync: '2' }

async function rows<T>(clickhouse: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const result = await clickhouse.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: internalQueryLimits() })
  return result.json<T>()
}

/** The database's materialised views, with source and target; a view whose SQL cannot be read fails the erasure (fail closed). */
export async function aggregateViews(clickhouse: ClickHouseClient, database: string, layout: ClickHouseLayout = oneServer): Promise<AggregateView[]> {
  const views = await rows<{ name: string; as_select: string; create_table_query: string }>(
    clickhouse,
    `SELECT name, as_select, create_table_query FROM system.tables WHERE database = {db:String} AND engine = 'MaterializedView' ORDER BY name`,
    { db: database },
  )
  const found: AggregateView[] = []
  for (const view of views) {
    const target = view.create_table_query.match(new RegExp(`\\bTO\\s+\`?${database}\`?\\.\`?(\\w+)\`?`))?.[1]
    const sources = [...view.as_select.matchAll(new RegExp(`\\bFROM\\s+\`?${database}\`?\\.\`?(\\w+)\`?`, 'g'))].map((m) => m[1]!)
    const groupBy = view.as_select.match(/\bGROUP BY\s+(.+)$/s)?.[1]
    if (!target || sources.length !== 1 || !groupBy) {
      throw new PrivacyOperationError(409, 'CALLMASK_ERR_VIEW_UNKNOWN', `the materialised view ${view.name} has a shape erasure cannot rebuild (one source table, a TO table and a GROUP BY); nothing was deleted`)
    }
    const columns = (await rows<{ name: string }>(clickhouse, `DESCRIBE (${view.as_select})`)).map((c) => c.name)
    const groupColumns = groupBy.split(',').map((c) => c.trim().replaceAll('`', ''))
    if (!groupColumns.every((c) => columns.includes(c))) {
      throw new PrivacyOperationError(409, 'CALLMASK_ERR_VIEW_UNKNOWN', `the materialised view ${view.name} groups by expressions erasure cannot match to its columns; nothing was deleted`)
    }
    found.push({ name: view.name, source: logicalTableOf(layout, sources[0]!), target: logicalTableOf(layout, target), select: view.as_select, selectSource: sources[0]!, columns, groupColumns })
  }
  return found
}

/** The view's SELECT over only those source rows `where` (a condition on the source table) keeps. */
function selectOver(view: AggregateView, database: string, where: string): string {
  return view.select.replace(new RegExp(`\\bFROM\\s+\`?${database}\`?\\.\`?${view.selectSource}\`?(?!\\w)`), `FROM (SELECT * FROM ${database}.${view.source} WHERE ${where}) AS erasure_source`)
}

const quoted = (columns: readonly string[]): string => columns.map((c) => '`' + c + '`').join(', ')

/** Views into one target, which must agree on the group columns (else erasure fails closed). */
export function viewsByTarget(views: readonly AggregateView[]): Map<string, AggregateView[]> {
  const byTarget = new Map<string, AggregateView[]>()
  for (const view of views) byTarget.set(view.target, [...(byTarget.get(view.target) ?? []), view])
  for (const [target, group] of byTarget) {
    if (group.some((v) => quoted(v.groupColumns) !== quoted(group[0]!.groupColumns))) {
      throw new PrivacyOperationError(409, 'CALLMASK_ERR_VIEW_UNKNOWN', `the views into ${target} group by different columns; erasure cannot rebuild it, nothing was deleted`)
    }
  }
  return byTarget
}

export const workTableOf = (target: string, runId: string): string => `erasure_groups_${runId}_${target}`

/** Step 1, before the raw rows go: notes the groups of `target` the subject's raw rows fed. Idempotent. */
export async function noteAffectedGroups(
  clickhouse: ClickHouseClient,
  database: string,
  target: string,
  views: readonly AggregateView[],
  runId: string,
  subjectRows: string,
  params: Record<string, unknown>,
): Promise<number> {
  const work = `${database}.${workTableOf(target, runId)}`
  const groups = quoted(views[0]!.groupColumns)
  // Typed as the target's columns, so a group hashes here as its rows do in the target.
  await clickhouse.command({ query: `CREATE TABLE IF NOT EXISTS ${work} ENGINE = MergeTree ORDER BY tuple() AS SELECT ${groups} FROM ${database}.${target} WHERE 0`, clickhouse_settings: settings })
  for (const view of views) {
    await clickhouse.command({
      query: `INSERT INTO ${work} SELECT DISTINCT ${groups} FROM (${selectOver(view, database, subjectRows)})`,
      query_params: params,
      clickhouse_settings: { ...settings, async_insert: 0, insert_deduplicate: 0 },
    })
  }
  const [count] = await rows<{ n: string }>(clickhouse, `SELECT count() AS n FROM (SELECT DISTINCT * FROM ${work})`)
  return Number(count?.n ?? 0)
}

/** Noted groups per DELETE: their hashes travel as a query parameter (in the URL of an HTTP request). */
const groupsPerDelete = 5000

/**
 * Step 2, after the raw rows went: deletes the noted groups and rebuilds them from the remaining raw rows with every view into the target.
 * `exclude`: source rows to leave out as if they were gone already (a condition with its parameters).
 */
export async function rebuildGroups(
  clickhouse: ClickHouseClient,
  database: string,
  target: string,
  views: readonly AggregateView[],
  runId: string,
  tenant: string,
  exclude?: { where: string; params: Record<string, unknown> },
  layout: ClickHouseLayout = oneServer,
): Promise<void> {
  const groups = `(${quoted(views[0]!.groupColumns)})`
  const work = `${database}.${workTableOf(target, runId)}`
  const hashes = (await rows<{ h: string }>(clickhouse, `SELECT DISTINCT toString(cityHash64(${groups})) AS h FROM ${work} ORDER BY h`)).map((r) => r.h)
  for (let i = 0; i < hashes.length; i += groupsPerDelete) {
    await clickhouse.command({
      query: `DELETE FROM ${mutationTarget(layout, database, target)} WHERE tenant = {tenant:String} AND toString(cityHash64(${groups})) IN {noted:Array(String)}`,
      query_params: { tenant, noted: hashes.slice(i, i + groupsPerDelete) },
      clickhouse_settings: settings,
    })
  }
  for (const view of views) {
    const columns = quoted(view.columns)
    // GLOBAL: the work table is read here, also where the source is a Distributed table whose shards lack it.
    await clickhouse.command({
      query: `INSERT INTO ${database}.${target} (${columns}) SELECT ${columns} FROM (${selectOver(view, database, exclude ? `tenant = {tenant:String} AND NOT (${exclude.where})` : 'tenant = {tenant:String}')}) WHERE ${groups} GLOBAL IN (SELECT DISTINCT * FROM ${work})`,
      query_params: { ...exclude?.params, tenant },
      // Never dropped as a repeat: the aggregate tables keep a deduplication window (007), and
      // ClickHouse 25+ deduplicates INSERT ... SELECT whatever insert_deduplicate says
      // (deduplicate_insert_select); a rebuilt group equal to a block the views once wrote
      // would be dropped. A token of its own makes every rebuild insert new.
      clickhouse_settings: { ...settings, async_insert: 0, insert_deduplicate: 0, insert_deduplication_token: randomUUID(), ...insertThroughSettings(layout) },
    })
  }
}

export async function dropWorkTable(clickhouse: ClickHouseClient, database: string, target: string, runId: string): Promise<void> {
  await clickhouse.command({ query: `DROP TABLE IF EXISTS ${database}.${workTableOf(target, runId)}`, clickhouse_settings: internalQueryLimits() })
}
