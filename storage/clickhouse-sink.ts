// Writes one batch of rows into ClickHouse so that a redelivered message never adds rows:
//  - rows whose (tenant, session_id, seq) a table already holds are skipped: a redelivery
//    usually lands in a differently composed batch, which a token cannot catch. Every batch
//    is checked, not only messages flagged as redelivered: after a nats-server crash the
//    consumer's delivery state can regress and old messages come back looking new. The
//    batch's time range keeps the look-up on the primary key (tenant, ts);
//  - each insert carries a deduplication token derived from its content, so retrying the
//    very same insert after a timeout that hid a success is dropped by ClickHouse.
// The rows are serialised once, as JSONCompactEachRow text (arrays in a fixed column order
// parse about twice as fast as objects); the token hashes that text and compact-insert.ts
// sends it (chdb: a raw insert with the settings in its SETTINGS clause).
import type { ClickHouseClient } from '@clickhouse/client'
import { createHash } from 'node:crypto'
import { compactInserter, compactRows } from './compact-insert.ts'
import { internalQueryLimits } from './query-limits.ts'
import type { Row, TableName } from './tables.ts'

export interface SourceRef {
  tenant: string
  sessionId: string
  seq: number
}

export interface RowSink {
  insert(table: TableName, rows: Row[], sources: SourceRef[]): Promise<number>
}

export function createClickHouseSink(client: ClickHouseClient, database: string): RowSink {
  const insertCompact = compactInserter(client)
  async function alreadyStored(table: TableName, rows: Row[], sources: SourceRef[]): Promise<Set<string>> {
    let minTs = Infinity
    let maxTs = -Infinity
    for (const row of rows) {
      const ts = row['ts'] as number
      if (ts < minTs) minTs = ts
      if (ts > maxTs) maxTs = ts
    }
    const result = await client.query({
      query: `SELECT DISTINCT tenant, session_id, seq FROM ${database}.${table}
              WHERE tenant IN {tenants:Array(String)}
                AND ts BETWEEN fromUnixTimestamp64Milli({minTs:Int64}, 'UTC') AND fromUnixTimestamp64Milli({maxTs:Int64}, 'UTC')
                AND session_id IN {sessions:Array(String)} AND seq IN {seqs:Array(UInt64)}`,
      query_params: {
        tenants: [...new Set(sources.map((s) => s.tenant))],
        minTs,
        maxTs,
        sessions: [...new Set(sources.map((s) => s.sessionId))],
        seqs: [...new Set(sources.map((s) => s.seq))],
      },
      format: 'JSONEachRow',
      clickhouse_settings: internalQueryLimits(),
    })
    const found = await result.json<{ tenant: string; session_id: string; seq: string | number }>()
    return new Set(found.map((r) => `${r.tenant}\0${r.session_id}\0${Number(r.seq)}`))
  }

  return {
    async insert(table, rows, sources) {
      if (rows.length === 0) return 0
      const stored = await alreadyStored(table, rows, sources)
      const fresh = stored.size === 0 ? rows : rows.filter((r) => !stored.has(`${r['tenant']}\0${r['session_id']}\0${r['seq']}`))
      if (fresh.length === 0) return 0
      const { columns, body } = compactRows(fresh)
      // The token is derived from the rows' content: only the very same insert is dropped as
      // a repeat, never other rows that happen to share their keys.
      const token = createHash('sha256').update(table).update('\0').update(body).digest('hex')
      await insertCompact({
        table: `${database}.${table}`,
        columns,
        body,
        settings: {
          async_insert: 0,
          wait_for_async_insert: 1,
          insert_deduplicate: 1,
          insert_deduplication_token: token,
          ...internalQueryLimits(),
        },
      })
      return fresh.length
    },
  }
}
