// Removes a processor's own copy of frames another insert had written first (the race of two
// processors holding one message; clickhouse-sink.ts finds them). The raw rows of the copy
// are easy: they carry this insert's id. The materialised views counted both copies, so the
// aggregate groups the frames fed are rebuilt first, from the raw rows without the copy,
// with the views' own SELECT (the erasure's machinery, aggregate-recompute.ts); then the
// copy's raw rows are deleted. In that order a crash in between leaves the aggregates right
// and the raw copy still marked by its insert id, for `callmask duplicates --repair` to find
// (findLaterCopies, over a tenant's whole table).
// Rare by construction (a processor stalled past the ack wait), so exact rather than fast.
// On shards the copy is deleted where storage/mutation-target.ts says, and the views are
// matched by the names callmask reads; the layout is read from the schema when not given.
import { TupleParam, type ClickHouseClient } from '@clickhouse/client'
import { randomUUID } from 'node:crypto'
import { aggregateViews, dropWorkTable, noteAffectedGroups, rebuildGroups, viewsByTarget, type AggregateView } from '../privacy/aggregate-recompute.ts'
import { oneRebuildAtATime } from './aggregate-rebuild-queue.ts'
import { layoutOfSchema, type ClickHouseLayout } from './clickhouse-layout.ts'
import type { SourceRef } from './clickhouse-sink.ts'
import { mutationTarget } from './mutation-target.ts'
import { internalQueryLimits } from './query-limits.ts'
import { tableNames, type TableName } from './tables.ts'

export interface DuplicateRepair {
  /** Deletes the rows `insertId` wrote for these frames of `table`, after rebuilding the aggregates they fed. */
  removeCopies(table: TableName, frames: readonly SourceRef[], insertId: number): Promise<void>
}

/** Copies of frames a table holds after an earlier copy: one entry per insert that wrote them. */
export interface LaterCopies {
  table: TableName
  /** Frames held more than once. */
  frames: number
  copies: { insertId: number; frames: SourceRef[] }[]
}

/** Every frame of the tenant's raw tables held under more than one insert, and which inserts wrote the later copies. */
export async function findLaterCopies(client: ClickHouseClient, database: string, tenant: string): Promise<LaterCopies[]> {
  const found: LaterCopies[] = []
  for (const table of tableNames) {
    const result = await client.query({
      // A frame is its session, seq and ts: the copies of one frame carry the same ts, while a
      // session id an app reused later (seqs from 1 again) holds other frames under the same
      // (session_id, seq), which are data, not copies. The sink's check sees one ts range only.
      query: `SELECT session_id, seq, ts, insert_id, min(_block_number) AS first_block FROM ${database}.${table}
              WHERE tenant = {tenant:String} AND (session_id, seq, ts) IN (
                SELECT session_id, seq, ts FROM ${database}.${table} WHERE tenant = {tenant:String}
                GROUP BY session_id, seq, ts HAVING uniqExact(insert_id) > 1)
              GROUP BY session_id, seq, ts, insert_id ORDER BY session_id, seq, ts, first_block`,
      query_params: { tenant },
      format: 'JSONEachRow',
      clickhouse_settings: internalQueryLimits(),
    })
    const rows = await result.json<{ session_id: string; seq: string | number; ts: string; insert_id: string | number }>()
    const copies = new Map<number, SourceRef[]>()
    const seen = new Set<string>()
    for (const row of rows) {
      const frame = `${row.session_id}\0${row.seq}\0${row.ts}`
      // Ordered by block within a frame: the first row of a frame is the copy to keep.
      if (!seen.has(frame)) {
        seen.add(frame)
        continue
      }
      const insertId = Number(row.insert_id)
      let frames = copies.get(insertId)
      if (!frames) copies.set(insertId, (frames = []))
      frames.push({ tenant, sessionId: row.session_id, seq: Number(row.seq) })
    }
    if (seen.size > 0) found.push({ table, frames: seen.size, copies: [...copies].map(([insertId, frames]) => ({ insertId, frames })) })
  }
  return found
}

const settings = { ...internalQueryLimits(), mutations_sync: '2', lightweight_deletes_sync: '2' }

export function createDuplicateRepair(client: ClickHouseClient, database: string, givenLayout?: ClickHouseLayout): DuplicateRepair {
  // The views and the layout change only with a migration; read once, when first needed.
  let found: Promise<{ layout: ClickHouseLayout; views: AggregateView[] }> | undefined
  const read = async () => {
    const layout = givenLayout ?? (await layoutOfSchema(client, database))
    return { layout, views: await aggregateViews(client, database, layout) }
  }
  return {
    removeCopies: (table, frames, insertId) => oneRebuildAtATime(() => removeCopies(table, frames, insertId)),
  }

  async function removeCopies(table: TableName, frames: readonly SourceRef[], insertId: number): Promise<void> {
    found ??= read().catch((error: unknown) => {
      found = undefined
      throw error
    })
    const { layout, views } = await found
    const fed = viewsByTarget(views.filter((view) => view.source === table))
    const copy = {
      where: 'insert_id = {copyInsertId:UInt64} AND (tenant, session_id, seq) IN {copyFrames:Array(Tuple(String, String, UInt64))}',
      params: { copyInsertId: insertId, copyFrames: frames.map((f) => new TupleParam([f.tenant, f.sessionId, f.seq])) },
    }
    const runId = `dup_${randomUUID().replaceAll('-', '')}`
    for (const [target, group] of fed) {
      try {
        await noteAffectedGroups(client, database, target, group, runId, copy.where, copy.params)
        for (const tenant of new Set(frames.map((f) => f.tenant))) await rebuildGroups(client, database, target, group, runId, tenant, copy, layout)
      } finally {
        await dropWorkTable(client, database, target, runId).catch(() => undefined)
      }
    }
    await client.command({ query: `DELETE FROM ${mutationTarget(layout, database, table)} WHERE ${copy.where}`, query_params: copy.params, clickhouse_settings: settings })
  }
}
