// The race of two processors holding one message (issue 14): one stalled past the consumer's
// ack wait after its look-up found the frames absent, JetStream gave the message to another,
// which wrote it; then the first writes it too. Forced here with two real sinks over one chdb:
// sink A's look-up runs, then sink B writes the same frames completely, then A inserts. A's
// check after its insert finds its copy written later than B's and removes it: the raw tables
// hold every frame once and every aggregate equals that of the frames written once (a second
// database, written by one sink, is the reference).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClickHouseSink, type SourceRef } from '../storage/clickhouse-sink.ts'
import { applyMigrations } from '../storage/migrations.ts'
import type { Row, TableName } from '../storage/tables.ts'
import { loadCapture } from './support/captures.ts'
import { peerRows } from './support/mapped-captures.ts'
import { createTestWorld, type TestWorld } from './support/test-pipeline.ts'

const aggregateTables = ['quality_minute_state', 'call_stream_state', 'call_path_state']

describe('two processors writing the same frames (integration)', () => {
  let world: TestWorld
  let rows: Record<TableName, Row[]>
  const referenceDb = () => `${world.database}_reference`
  beforeAll(async () => {
    world = await createTestWorld()
    await applyMigrations(world.clickhouse, world.database)
    await applyMigrations(world.clickhouse, referenceDb())
    const { rtp, pairs } = await peerRows(loadCapture('chromium-loopback-av.json'), 'caller')
    rows = { rtp_samples: rtp, connection_samples: pairs, call_events: [], stream_issues: [] }
  })
  afterAll(async () => world?.close())

  const sourcesOf = (table: Row[]): SourceRef[] => {
    const seen = new Map<string, SourceRef>()
    for (const r of table) seen.set(`${r['tenant']}\0${r['session_id']}\0${r['seq']}`, { tenant: String(r['tenant']), sessionId: String(r['session_id']), seq: Number(r['seq']) })
    return [...seen.values()]
  }

  const count = async (db: string, table: string) => Number((await world.query<{ n: string }>(`SELECT count() AS n FROM ${db}.${table}`))[0]!.n)

  /** Every aggregate row, finalised, after merging the parts: what a dashboard would read. */
  async function aggregates(db: string, table: string): Promise<unknown[]> {
    await world.clickhouse.command({ query: `OPTIMIZE TABLE ${db}.${table} FINAL` })
    const columns = await world.query<{ name: string; type: string }>(`SELECT name, type FROM system.columns WHERE database = {d:String} AND table = {t:String} ORDER BY position`, { d: db, t: table })
    const select = columns.map((c) => (c.type.startsWith('AggregateFunction') ? `toString(finalizeAggregation(${c.name})) AS ${c.name}` : `toString(${c.name}) AS ${c.name}`)).join(', ')
    return world.query(`SELECT ${select} FROM ${db}.${table} ORDER BY ALL`)
  }

  it('the later writer finds its copy and removes it, from the raw rows and the aggregates', async () => {
    const tables: TableName[] = ['rtp_samples', 'connection_samples']
    const reference = createClickHouseSink(world.clickhouse, referenceDb())
    for (const table of tables) await reference.insert(table, rows[table], sourcesOf(rows[table]))

    const repaired = new Map<TableName, number>()
    const earlier = createClickHouseSink(world.clickhouse, world.database)
    const later = createClickHouseSink(world.clickhouse, world.database, {
      // A's look-up is done and found nothing; B now writes the same frames completely.
      afterLookup: async (table) => {
        expect(await earlier.insert(table, rows[table], sourcesOf(rows[table]))).toBe(rows[table].length)
        expect(await count(world.database, table)).toBe(rows[table].length)
      },
      onRepaired: (table, frames) => repaired.set(table, frames),
    })
    for (const table of tables) {
      // Written twice, then A's copy removed: A reports none of its rows as inserted.
      expect(await later.insert(table, rows[table], sourcesOf(rows[table]))).toBe(0)
      expect(repaired.get(table)).toBe(sourcesOf(rows[table]).length)
      expect(await count(world.database, table)).toBe(rows[table].length)
      // What is left is one copy, the earlier writer's, whole.
      const [ids] = await world.query<{ n: string }>(`SELECT uniqExact(insert_id) AS n FROM ${world.database}.${table}`)
      expect(Number(ids!.n)).toBe(1)
    }
    for (const table of aggregateTables) {
      const expected = await aggregates(referenceDb(), table)
      expect(expected.length, table).toBeGreaterThan(0)
      expect(await aggregates(world.database, table), table).toEqual(expected)
    }
  })
})
