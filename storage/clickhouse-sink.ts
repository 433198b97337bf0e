// Writes one batch of rows into ClickHouse so that a redelivered message never adds rows:
//  - rows whose (tenant, session_id, seq) a table already holds are skipped: a redelivery
//    usually lands in a differently composed batch, which a token cannot catch. Every batch
//    is checked, not only messages flagged as redelivered: after a nats-server crash the
//    consumer's delivery state can regress and old messages come back looking new. The
//    batch's time range keeps the look-up on the primary key (tenant, ts);
//  - each insert carries a deduplication token derived from the frames it writes (and the
//    sink's salt), so retrying the very same insert after a timeout that hid a success is
//    dropped by ClickHouse; the frames' rows are fixed when the message is mapped, so the
//    same frames are the same rows (hashing the frame keys, not the ~10 MB of a batch's text);
//  - the look-up and the insert are not atomic: two processors that both hold a message (one
//    stalled past the ack wait, JetStream gave it to the other) can both find it absent and
//    both write it. So every insert stamps its rows with an insert id and is checked after
//    it: a frame it wrote that the table holds under an earlier insert too is its copy to
//    remove (duplicate-repair.ts). Only the later writer repairs: its check runs after both
//    inserts, so it sees the pair, and the earlier writer's copy is never touched.
// The rows are serialised once, as JSONCompactEachRow text (arrays in a fixed column order
// parse about twice as fast as objects), which compact-insert.ts sends (chdb: a raw insert
// with the settings in its SETTINGS clause).
import type { ClickHouseClient } from '@clickhouse/client'
import { createHash, randomBytes } from 'node:crypto'
import { compactInserter, compactRows } from './compact-insert.ts'
import type { ClickHouseLayout } from './clickhouse-layout.ts'
import { createDuplicateRepair, type DuplicateRepair } from './duplicate-repair.ts'
import { insertThroughSettings } from './mutation-target.ts'
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

export interface ClickHouseSinkOptions {
  /**
   * How the tables are laid out (clickhouse-layout.ts); unset: read from the schema by the
   * repair. On a cluster (Replicated tables) an insert returns once every replica has it
   * (insert_quorum 'auto', a majority, is every replica of two) and the look-up and the
   * check read only such inserts, so the check of the later of two inserts sees the earlier
   * whichever replica took it.
   */
  layout?: ClickHouseLayout
  /** Test hook: runs between the look-up and the insert (forces the race of two processors). */
  afterLookup?: (table: TableName) => Promise<void>
  /** Test hook: runs between the insert and its check (a throw is a processor killed there). */
  beforeCheck?: (table: TableName) => Promise<void>
  /** Called with how many frames of a table, per tenant, this sink found written twice and removed its copy of. */
  onRepaired?: (table: TableName, framesByTenant: Map<string, number>) => void
  /** Called when removing its copy failed: the copy stays for `callmask duplicates <tenant> --repair`. */
  onRepairFailed?: (table: TableName, framesByTenant: Map<string, number>, error: unknown) => void
}

const keyOf = (tenant: unknown, sessionId: unknown, seq: unknown) => `${tenant}\0${sessionId}\0${Number(seq)}`

export function createClickHouseSink(client: ClickHouseClient, database: string, options: ClickHouseSinkOptions = {}): RowSink {
  const insertCompact = compactInserter(client)
  const replicated = options.layout?.cluster !== undefined
  const readSettings = { ...internalQueryLimits(), ...(replicated ? { select_sequential_consistency: '1' } : {}) }
  // On shards the insert also waits for the shards (insertThroughSettings).
  const quorum = replicated ? { insert_quorum: 'auto', insert_quorum_parallel: 0 as const, ...insertThroughSettings(options.layout ?? {}) } : {}
  const repair: DuplicateRepair = createDuplicateRepair(client, database, options.layout)
  // An insert's identity: this sink's random salt and the frames it writes, so a retry of
  // the same insert keeps its id and its token while another processor's insert of the same
  // frames gets others. The id is below 2^53: written as a plain JSON number.
  const salt = randomBytes(16)
  const identityOf = (table: TableName, sources: readonly SourceRef[]): { insertId: number; token: string } => {
    const hash = createHash('sha256').update(salt).update(table)
    for (const s of sources) hash.update(`\0${keyOf(s.tenant, s.sessionId, s.seq)}`)
    const digest = hash.digest()
    return { insertId: Number(digest.readBigUInt64BE() >> 12n) || 1, token: digest.toString('hex') }
  }

  /** The frames of `sources` the table holds, as a filter on the primary key (tenant, ts) and the frame's identity. */
  const framesOf = (rows: readonly Row[], sources: readonly SourceRef[]) => {
    let minTs = Infinity
    let maxTs = -Infinity
    for (const row of rows) {
      const ts = row['ts'] as number
      if (ts < minTs) minTs = ts
      if (ts > maxTs) maxTs = ts
    }
    return {
      where: `tenant IN {tenants:Array(String)}
              AND ts BETWEEN fromUnixTimestamp64Milli({minTs:Int64}, 'UTC') AND fromUnixTimestamp64Milli({maxTs:Int64}, 'UTC')
              AND session_id IN {sessions:Array(String)} AND seq IN {seqs:Array(UInt64)}`,
      params: {
        tenants: [...new Set(sources.map((s) => s.tenant))],
        minTs,
        maxTs,
        sessions: [...new Set(sources.map((s) => s.sessionId))],
        seqs: [...new Set(sources.map((s) => s.seq))],
      },
    }
  }

  async function alreadyStored(table: TableName, rows: Row[], sources: SourceRef[]): Promise<Set<string>> {
    const frames = framesOf(rows, sources)
    const result = await client.query({
      query: `SELECT DISTINCT tenant, session_id, seq FROM ${database}.${table} WHERE ${frames.where}`,
      query_params: frames.params,
      format: 'JSONEachRow',
      clickhouse_settings: readSettings,
    })
    const found = await result.json<{ tenant: string; session_id: string; seq: string | number }>()
    return new Set(found.map((r) => keyOf(r.tenant, r.session_id, r.seq)))
  }

  /** The frames this insert wrote that an earlier insert had written too: this insert's copies are the extra ones. */
  async function writtenEarlierToo(table: TableName, rows: Row[], sources: SourceRef[], insertId: number): Promise<SourceRef[]> {
    const frames = framesOf(rows, sources)
    const result = await client.query({
      query: `SELECT tenant, session_id, seq FROM ${database}.${table} WHERE ${frames.where}
              GROUP BY tenant, session_id, seq
              HAVING uniqExact(insert_id) > 1 AND minIf(_block_number, insert_id = {insertId:UInt64}) > min(_block_number)`,
      query_params: { ...frames.params, insertId },
      format: 'JSONEachRow',
      clickhouse_settings: readSettings,
    })
    const found = await result.json<{ tenant: string; session_id: string; seq: string | number }>()
    if (found.length === 0) return [] // every insert but a race's: no set of this batch's frames to build
    const written = new Set(sources.map((s) => keyOf(s.tenant, s.sessionId, s.seq)))
    return found.filter((r) => written.has(keyOf(r.tenant, r.session_id, r.seq))).map((r) => ({ tenant: r.tenant, sessionId: r.session_id, seq: Number(r.seq) }))
  }

  return {
    async insert(table, rows, sources) {
      if (rows.length === 0) return 0
      const stored = await alreadyStored(table, rows, sources)
      const fresh = stored.size === 0 ? rows : rows.filter((r) => !stored.has(keyOf(r['tenant'], r['session_id'], r['seq'])))
      if (fresh.length === 0) return 0
      await options.afterLookup?.(table)
      const written = stored.size === 0 ? sources : sources.filter((s) => !stored.has(keyOf(s.tenant, s.sessionId, s.seq)))
      const { insertId, token } = identityOf(table, written)
      const { columns, body } = compactRows(fresh, { insert_id: insertId })
      await insertCompact({
        table: `${database}.${table}`,
        columns,
        body,
        settings: {
          async_insert: 0,
          wait_for_async_insert: 1,
          insert_deduplicate: 1,
          insert_deduplication_token: token,
          ...quorum,
          ...internalQueryLimits(),
        },
      })
      await options.beforeCheck?.(table)
      const extra = await writtenEarlierToo(table, fresh, written, insertId)
      if (extra.length > 0) {
        const byTenant = new Map<string, number>()
        for (const e of extra) byTenant.set(e.tenant, (byTenant.get(e.tenant) ?? 0) + 1)
        try {
          await repair.removeCopies(table, extra, insertId)
        } catch (error) {
          // The batch is retried, but its look-up then finds the frames stored: the copy stays.
          options.onRepairFailed?.(table, byTenant, error)
          throw error
        }
        options.onRepaired?.(table, byTenant)
        const removed = new Set(extra.map((e) => keyOf(e.tenant, e.sessionId, e.seq)))
        return fresh.filter((r) => !removed.has(keyOf(r['tenant'], r['session_id'], r['seq']))).length
      }
      return fresh.length
    },
  }
}
