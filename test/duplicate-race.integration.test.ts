// The race of two processors holding one message (issue 14): one stalled past the consumer's
// ack wait after its look-up found the frames absent, JetStream gave the message to another,
// which wrote it; then the first writes it too. Forced here with two real sinks over one chdb:
// sink A's look-up runs, then sink B writes the same frames completely, then A inserts. A's
// check after its insert finds its copy written later than B's and removes it: the raw tables
// hold every frame once and every aggregate equals that of the frames written once (a second
// database, written by one sink, is the reference). And when the later writer is killed
// between its insert and its check, `callmask duplicates --repair` finds and removes the copy;
// a session id reused later (same session and seqs, other frames) is not taken for a copy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { hashKey } from '../lib/key-hash.ts'
import { createClickHouseSink, type SourceRef } from '../storage/clickhouse-sink.ts'
import { createDuplicateRepair, findLaterCopies } from '../storage/duplicate-repair.ts'
import { applyMigrations } from '../storage/migrations.ts'
import type { Row, TableName } from '../storage/tables.ts'
import { loadCapture } from './support/captures.ts'
import { peerRows } from './support/mapped-captures.ts'
import { runScript } from './support/run-script.ts'
import { createTestWorld, testTenant, type TestWorld } from './support/test-pipeline.ts'

const adminKey = 'admin-key-duplicates-0123456789'
const tables: TableName[] = ['rtp_samples', 'connection_samples']
const aggregateTables = ['quality_minute_state', 'call_stream_state', 'call_path_state']

const sourcesOf = (table: Row[]): SourceRef[] => {
  const seen = new Map<string, SourceRef>()
  for (const r of table) seen.set(`${r['tenant']}\0${r['session_id']}\0${r['seq']}`, { tenant: String(r['tenant']), sessionId: String(r['session_id']), seq: Number(r['seq']) })
  return [...seen.values()]
}

describe('two processors writing the same frames (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let captureRows: { rtp: Row[]; pairs: Row[] }
  const referenceDb = () => `${world.database}_reference`
  beforeAll(async () => {
    world = await createTestWorld()
    // The pipeline applies the migrations and serves the admin API the CLI calls.
    pipeline = await world.start({ apiKeys: [{ id: 'root', role: 'admin', sha256: hashKey(adminKey) }] })
    await applyMigrations(world.clickhouse, referenceDb())
    captureRows = await peerRows(loadCapture('chromium-loopback-av.json'), 'caller')
  })
  afterAll(async () => {
    await pipeline?.close()
    await world?.close()
  })

  /** The capture's rows as one session's. */
  const sessionRows = (sessionId: string, laterMs = 0): Record<TableName, Row[]> => {
    const at = (r: Row): Row => (laterMs === 0 ? {} : { ts: (r['ts'] as number) + laterMs, report_ts: (r['report_ts'] as number) + laterMs })
    const as = (list: Row[]) => list.map((r): Row => ({ ...r, session_id: sessionId, ...at(r) }))
    return { rtp_samples: as(captureRows.rtp), connection_samples: as(captureRows.pairs), call_events: [], stream_issues: [] }
  }
  const count = async (table: string, sessionId: string) =>
    Number((await world.query<{ n: string }>(`SELECT count() AS n FROM {db}.${table} WHERE session_id = {s:String}`, { s: sessionId }))[0]!.n)

  // Floating-point sums depend on the order rows are added in: ten significant digits.
  const rounded = (value: string) => value.replace(/-?\d+\.\d+(e[-+]?\d+)?/g, (n) => String(Number(Number(n).toPrecision(10))))
  /** Every aggregate row, finalised, after merging the parts: what a dashboard would read. */
  async function aggregates(db: string, table: string): Promise<unknown[]> {
    await world.clickhouse.command({ query: `OPTIMIZE TABLE ${db}.${table} FINAL` })
    const columns = await world.query<{ name: string; type: string }>(`SELECT name, type FROM system.columns WHERE database = {d:String} AND table = {t:String} ORDER BY position`, { d: db, t: table })
    const select = columns.map((c) => (c.type.startsWith('AggregateFunction') ? `toString(finalizeAggregation(${c.name})) AS ${c.name}` : `toString(${c.name}) AS ${c.name}`)).join(', ')
    const rows = await world.query<Record<string, string | null>>(`SELECT ${select} FROM ${db}.${table} ORDER BY ALL`)
    return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? v : rounded(v)])))
  }
  async function expectAggregatesLikeReference(): Promise<void> {
    for (const table of aggregateTables) {
      const expected = await aggregates(referenceDb(), table)
      expect(expected.length, table).toBeGreaterThan(0)
      expect(await aggregates(world.database, table), table).toEqual(expected)
    }
  }

  it('the later writer finds its copy and removes it, from the raw rows and the aggregates', async () => {
    const rows = sessionRows('s-race')
    const reference = createClickHouseSink(world.clickhouse, referenceDb())
    for (const table of tables) await reference.insert(table, rows[table], sourcesOf(rows[table]))

    const repaired = new Map<TableName, number>()
    const earlier = createClickHouseSink(world.clickhouse, world.database)
    const later = createClickHouseSink(world.clickhouse, world.database, {
      // A's look-up is done and found nothing; B now writes the same frames completely.
      afterLookup: async (table) => {
        expect(await earlier.insert(table, rows[table], sourcesOf(rows[table]))).toBe(rows[table].length)
        expect(await count(table, 's-race')).toBe(rows[table].length)
      },
      onRepaired: (table, byTenant) => repaired.set(table, byTenant.get(testTenant) ?? 0),
    })
    for (const table of tables) {
      // Written twice, then A's copy removed: A reports none of its rows as inserted.
      expect(await later.insert(table, rows[table], sourcesOf(rows[table]))).toBe(0)
      expect(repaired.get(table)).toBe(sourcesOf(rows[table]).length)
      expect(await count(table, 's-race')).toBe(rows[table].length)
      // What is left is one copy, the earlier writer's, whole.
      const [ids] = await world.query<{ n: string }>(`SELECT uniqExact(insert_id) AS n FROM {db}.${table} WHERE session_id = 's-race'`)
      expect(Number(ids!.n)).toBe(1)
    }
    await expectAggregatesLikeReference()
  })

  it('a later writer killed before its check leaves its copy; `callmask duplicates --repair` finds and removes it', async () => {
    const rows = sessionRows('s-left')
    const reference = createClickHouseSink(world.clickhouse, referenceDb())
    for (const table of tables) await reference.insert(table, rows[table], sourcesOf(rows[table]))
    const earlier = createClickHouseSink(world.clickhouse, world.database)
    const killed = createClickHouseSink(world.clickhouse, world.database, {
      afterLookup: async (table) => void (await earlier.insert(table, rows[table], sourcesOf(rows[table]))),
      beforeCheck: async () => {
        throw new Error('killed between its insert and its check')
      },
    })
    for (const table of tables) {
      await expect(killed.insert(table, rows[table], sourcesOf(rows[table]))).rejects.toThrow(/killed/)
      expect(await count(table, 's-left')).toBe(2 * rows[table].length)
    }

    const env = { CALLMASK_API_URL: pipeline.api!.url, CALLMASK_ADMIN_KEY: adminKey, CALLMASK_DATA_DIR: world.dataDir }
    const found = await runScript('bin/callmask.ts', ['duplicates', testTenant], { env })
    expect(found.code, found.stderr).toBe(3)
    for (const table of tables) expect(found.stdout).toContain(`${table}  ${sourcesOf(rows[table]).length} frame(s), ${sourcesOf(rows[table]).length} later copies`)

    const repaired = await runScript('bin/callmask.ts', ['duplicates', testTenant, '--repair'], { env })
    expect(repaired.code, repaired.stderr).toBe(0)
    expect(repaired.stdout).toContain('removed the later copies')
    for (const table of tables) expect(await count(table, 's-left')).toBe(rows[table].length)
    await expectAggregatesLikeReference()

    const after = await runScript('bin/callmask.ts', ['duplicates', testTenant], { env })
    expect(after.code, after.stderr).toBe(0)
    expect(after.stdout).toContain(`Tenant ${testTenant}: no frame is stored twice.`)
    const audit = await world.query<{ result: string }>("SELECT result FROM {db}.audit_log WHERE operation = 'duplicates.repair'")
    expect(audit).toEqual([{ result: 'ok' }])
  })

  it('a repair that fails is reported with its tenants and the frame count, and the copy stays for `duplicates`', async () => {
    // A view the repair cannot rebuild (no GROUP BY) makes it fail after the insert succeeded.
    const db = `${world.database}_odd`
    await applyMigrations(world.clickhouse, db)
    await world.clickhouse.command({ query: `CREATE TABLE ${db}.odd (tenant String) ENGINE = MergeTree ORDER BY tenant` })
    await world.clickhouse.command({ query: `CREATE MATERIALIZED VIEW ${db}.odd_mv TO ${db}.odd AS SELECT tenant FROM ${db}.rtp_samples` })
    const rows = sessionRows('s-odd').rtp_samples
    const failures: [string, Map<string, number>][] = []
    const earlier = createClickHouseSink(world.clickhouse, db)
    const later = createClickHouseSink(world.clickhouse, db, {
      afterLookup: async () => void (await earlier.insert('rtp_samples', rows, sourcesOf(rows))),
      onRepairFailed: (table, byTenant) => failures.push([table, byTenant]),
    })
    await expect(later.insert('rtp_samples', rows, sourcesOf(rows))).rejects.toThrow(/shape/)
    expect(failures).toEqual([['rtp_samples', new Map([[testTenant, sourcesOf(rows).length]])]])
    const [stored] = await world.query<{ n: string }>(`SELECT count() AS n FROM ${db}.rtp_samples`)
    expect(Number(stored!.n)).toBe(2 * rows.length)
  })

  it('two repairs started at once in one process (of two sessions of one conference minute) do not overlap: the aggregates stay exact', async () => {
    // Two later writers' copies left behind (killed before their checks), then repaired at
    // the same moment: overlapping delete-and-rebuild runs of one group would count it twice.
    const sessions = ['s-both-a', 's-both-b'].map((id) => ({ id, rows: sessionRows(id) }))
    for (const { rows } of sessions) {
      for (const table of tables) await createClickHouseSink(world.clickhouse, referenceDb()).insert(table, rows[table], sourcesOf(rows[table]))
      const earlier = createClickHouseSink(world.clickhouse, world.database)
      const killed = createClickHouseSink(world.clickhouse, world.database, {
        afterLookup: async (table) => void (await earlier.insert(table, rows[table], sourcesOf(rows[table]))),
        beforeCheck: async () => {
          throw new Error('killed between its insert and its check')
        },
      })
      for (const table of tables) await expect(killed.insert(table, rows[table], sourcesOf(rows[table]))).rejects.toThrow(/killed/)
    }
    const found = await findLaterCopies(world.clickhouse, world.database, testTenant)
    const copies = found.flatMap(({ table, copies }) => copies.map((c) => ({ table, ...c })))
    expect(copies.length).toBe(2 * tables.length)
    // Each copy by a repair of its own, all started together.
    await Promise.all(copies.map((c) => createDuplicateRepair(world.clickhouse, world.database).removeCopies(c.table, c.frames, c.insertId)))
    for (const { id, rows } of sessions) for (const table of tables) expect(await count(table, id)).toBe(rows[table].length)
    await expectAggregatesLikeReference()
  })

  it('a session id reused a day later (a new seq space, other frames) is not a copy: the repair leaves it', async () => {
    // An app may choose the session id (the Node client's `sessionId`); reused, its seqs start
    // at 1 again. The frames differ (their ts): both are data, neither is a copy to remove.
    const first = sessionRows('s-reused')
    const dayLater = sessionRows('s-reused', 86_400_000)
    for (const db of [world.database, referenceDb()]) {
      for (const table of tables) {
        await createClickHouseSink(world.clickhouse, db).insert(table, first[table], sourcesOf(first[table]))
        await createClickHouseSink(world.clickhouse, db).insert(table, dayLater[table], sourcesOf(dayLater[table]))
      }
    }
    for (const table of tables) expect(await count(table, 's-reused')).toBe(2 * first[table].length)
    const found = await findLaterCopies(world.clickhouse, world.database, testTenant)
    expect(found).toEqual([])
    const repair = createDuplicateRepair(world.clickhouse, world.database)
    for (const { table, copies } of found) for (const { insertId, frames } of copies) await repair.removeCopies(table, frames, insertId)
    for (const table of tables) expect(await count(table, 's-reused')).toBe(2 * first[table].length)
    await expectAggregatesLikeReference()
  })
})
