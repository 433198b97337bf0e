// Retention per tenant over the real pipeline (uWS ingest, nats-server, processor, chdb):
// two tenants stream browser captures (one of them also a call five days old), then the
// privacy officer changes one tenant's retention through the admin API. Its rows get the
// new expiry (partition and TTL), rows past a shortened retention are gone at once, the
// aggregates count every interval exactly once, the other tenant is untouched, a rerun and
// a rerun after a crash half-way change nothing more, and new frames carry the new values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { hashIngestKey } from '../ingest/ingest-keys.ts'
import { hashKey } from '../lib/key-hash.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { applyTenantRetention, retentionTables } from '../storage/retention-move.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { createTestWorld, eventually, testKey, testTenant, type TestWorld } from './support/test-pipeline.ts'

const otherTenant = 'globex'
const otherKey = 'test-key-globex-0123456789'
const adminKey = 'admin-key-retention-0123456789'
const analystKey = 'analyst-key-acme-0123456789'
const day = 86_400_000

interface PerTable {
  table: string
  tenant: string
  raw: number
  aggregate: number
  n: string
}

describe('retention per tenant (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let base: string

  const api = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
    return { status: response.status, body: (await response.json()) as Record<string, any> }
  }

  /** Streams a capture as one tenant's clients, replayed to end at `now`, and waits until it is stored. */
  async function replay(key: string, conferenceId: string, now = Date.now()): Promise<void> {
    const frames = captureFrames(loadCapture('chromium-loopback-audio.json'), now)
    const storedBefore = pipeline.processor!.stats.messages
    const clients = new Map<string, CallmaskClient>()
    for (const frame of frames) {
      let client = clients.get(frame.peerId)
      if (!client) {
        client = new CallmaskClient({ url: pipeline.ingest!.url, key })
        await client.connect()
        clients.set(frame.peerId, client)
      }
      const call = { conferenceId, callId: `call-${conferenceId}`, participantId: `user-${frame.peerId}`, peerConnectionId: `pc-${frame.peerId}` }
      await client.sendStats(call, selectReports(frame.reports), frame.ts)
    }
    for (const client of clients.values()) {
      await client.waitForAck(undefined, 30_000)
      client.close()
    }
    await eventually(() => pipeline.processor!.stats.messages === storedBefore + frames.length, 60_000, `${conferenceId} stored`)
  }

  /** Rows per table, tenant and retention values (aggregate states merged: FINAL, as background merges would). */
  const perTable = async (): Promise<PerTable[]> => {
    const parts = retentionTables.map(
      ({ table, raw }) =>
        `SELECT '${table}' AS table, tenant, ${raw ? 'retention_days' : 'aggregate_retention_days'} AS raw, aggregate_retention_days AS aggregate, count() AS n FROM {db}.${table}${table.endsWith('_state') ? ' FINAL' : ''} GROUP BY ALL`,
    )
    return world.query<PerTable>(`SELECT * FROM (${parts.join(' UNION ALL ')}) ORDER BY table, tenant, raw, aggregate`)
  }
  /** What analysts read: intervals and streams per minute, and per call. */
  const aggregates = async () => ({
    minutes: await world.query('SELECT tenant, minute, conference_id, kind, direction, intervals, streams, round(freeze_duration, 6) AS freeze FROM {db}.quality_per_minute ORDER BY ALL'),
    calls: await world.query(
      'SELECT tenant, call_id, participant_id, kind, direction, intervals, started, ended, arraySort(local_candidate_types) AS local FROM {db}.call_summaries ORDER BY tenant, call_id, participant_id, kind, direction',
    ),
  })

  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({
      ingestKeys: [
        { id: 'acme', tenant: testTenant, sha256: hashIngestKey(testKey) },
        { id: 'globex', tenant: otherTenant, sha256: hashIngestKey(otherKey) },
      ],
      apiKeys: [
        { id: 'root', role: 'admin', sha256: hashKey(adminKey) },
        { id: 'ana', role: 'analyst', tenant: testTenant, sha256: hashKey(analystKey) },
      ],
      batchMaxMs: 50,
      tenantSettingsRefreshMs: 200,
    })
    base = pipeline.api!.url
    await replay(testKey, 'room-recent')
    await replay(testKey, 'room-old', Date.now() - 5 * day)
    await replay(otherKey, 'room-other')
  }, 180_000)
  afterAll(async () => world?.close())

  it('an analyst key may neither read nor change a retention (403)', async () => {
    expect((await api('GET', `/v1/admin/tenants/${testTenant}/retention`, analystKey)).status).toBe(403)
    const refused = await api('PUT', `/v1/admin/tenants/${testTenant}/retention`, analystKey, { rawDays: 1 })
    expect(refused.status).toBe(403)
    expect(refused.body['error']).toBe('CALLMASK_ERR_FORBIDDEN')
    expect((await api('PUT', `/v1/admin/tenants/${testTenant}/retention`, adminKey, {})).status).toBe(400)
    expect((await api('PUT', `/v1/admin/tenants/${testTenant}/retention`, adminKey, { rawDays: 0 })).status).toBe(400)
    const [rows] = await world.query<{ n: string }>(`SELECT count() AS n FROM {db}.rtp_samples WHERE tenant = {tenant:String} AND retention_days != 30`, { tenant: testTenant })
    expect(Number(rows!.n)).toBe(0)
  })

  it('moves existing rows to the new expiry, deletes what is past it at once, counts aggregates once, leaves the other tenant alone', async () => {
    const shown = await api('GET', `/v1/admin/tenants/${testTenant}/retention`, adminKey)
    expect(shown.body).toEqual({ tenant: testTenant, raw: { days: 30, source: 'config' }, aggregate: { days: 395, source: 'config' } })

    const before = await perTable()
    const aggregatesBefore = await aggregates()
    // The five-day-old call exists in every raw table: what a 3-day retention must delete now.
    const [old] = await world.query<{ rtp: string; conn: string; events: string; recent: string }>(
      `SELECT
         (SELECT count() FROM {db}.rtp_samples WHERE tenant = {t:String} AND ts < now() - INTERVAL 3 DAY) AS rtp,
         (SELECT count() FROM {db}.connection_samples WHERE tenant = {t:String} AND ts < now() - INTERVAL 3 DAY) AS conn,
         (SELECT count() FROM {db}.call_events WHERE tenant = {t:String} AND ts < now() - INTERVAL 3 DAY) AS events,
         (SELECT count() FROM {db}.rtp_samples WHERE tenant = {t:String} AND ts >= now() - INTERVAL 3 DAY) AS recent`,
      { t: testTenant },
    )
    expect(Number(old!.rtp)).toBeGreaterThan(100)
    expect(Number(old!.conn)).toBeGreaterThan(0)
    expect(Number(old!.recent)).toBeGreaterThan(100)
    expect(aggregatesBefore.minutes.filter((m: any) => m.tenant === testTenant && m.conference_id === 'room-old').length).toBeGreaterThan(0)

    const changed = await api('PUT', `/v1/admin/tenants/${testTenant}/retention`, adminKey, { rawDays: 3, aggregateDays: 100 })
    expect(changed.status, JSON.stringify(changed.body)).toBe(200)
    expect(changed.body['retention']).toMatchObject({ raw: { days: 3, source: 'run-time' }, aggregate: { days: 100, source: 'run-time' } })
    expect(changed.body['deleted']['rtp_samples']).toBe(Number(old!.rtp))
    expect(changed.body['deleted']['connection_samples']).toBe(Number(old!.conn))
    expect(changed.body['deleted']['call_events']).toBe(Number(old!.events))
    expect(changed.body['moved']['rtp_samples']).toBe(Number(old!.recent))
    expect(changed.body['moved']['quality_minute_state']).toBeGreaterThan(0)

    // Past the new raw retention: gone now, not at the next TTL merge.
    const [gone] = await world.query<{ n: string }>(`SELECT count() AS n FROM {db}.rtp_samples WHERE tenant = {t:String} AND ts < now() - INTERVAL 3 DAY`, { t: testTenant })
    expect(Number(gone!.n)).toBe(0)
    // Every row of the tenant carries the new values, in the partition of its new expiry day,
    // in parts whose TTL was computed with them.
    const after = await perTable()
    const acmeAfter = after.filter((r) => r.tenant === testTenant)
    expect(acmeAfter.length).toBeGreaterThan(0)
    for (const row of acmeAfter) expect([row.table, row.raw, row.aggregate]).toEqual([row.table, retentionTables.find((t) => t.table === row.table)!.raw ? 3 : 100, 100])
    const [placed] = await world.query<{ rows: string; misplaced: string; latest: string }>(
      `SELECT count() AS rows, countIf(_partition_id != toString(toYYYYMMDD(toDateTime(ts) + toIntervalDay(retention_days)))) AS misplaced,
              toUnixTimestamp(max(toDateTime(ts) + toIntervalDay(retention_days))) AS latest
       FROM {db}.rtp_samples WHERE tenant = {t:String}`,
      { t: testTenant },
    )
    expect(Number(placed!.misplaced)).toBe(0)
    expect(Number(placed!.latest) * 1000).toBeLessThanOrEqual(Date.now() + 3 * day)
    const [ttl] = await world.query<{ latest: string }>(
      `SELECT toUnixTimestamp(max(delete_ttl_info_max)) AS latest FROM system.parts
       WHERE database = {database:String} AND table = 'rtp_samples' AND active
         AND name IN (SELECT DISTINCT _part FROM {db}.rtp_samples WHERE tenant = {t:String})`,
      { database: world.database, t: testTenant },
    )
    expect(Number(ttl!.latest) * 1000).toBeLessThanOrEqual(Date.now() + 3 * day)
    expect(Number(ttl!.latest) * 1000).toBeGreaterThan(Date.now() + 2 * day)

    // Aggregates: the same per-minute and per-call figures (100 days keeps the old call), nothing counted twice.
    expect(await aggregates()).toEqual(aggregatesBefore)
    // The other tenant: the same rows with the same values.
    expect(after.filter((r) => r.tenant === otherTenant)).toEqual(before.filter((r) => r.tenant === otherTenant))
    expect(after.filter((r) => r.tenant === otherTenant).length).toBeGreaterThan(3)
    // No scratch table left behind.
    const [scratch] = await world.query<{ n: string }>(`SELECT count() AS n FROM system.tables WHERE database = {database:String} AND name LIKE '%\\_\\_retention\\_%'`, { database: world.database })
    expect(Number(scratch!.n)).toBe(0)

    const audit = await api('GET', `/v1/admin/audit?operation=retention.set&tenant=${testTenant}`, adminKey)
    expect(audit.body['count']).toBe(1)
    const entry = audit.body['rows'][0]
    expect(entry).toMatchObject({ key_id: 'root', role: 'admin', tenant: testTenant, operation: 'retention.set', result: 'ok', status: 200 })
    expect(JSON.parse(entry.details)).toMatchObject({ rawDays: 3, aggregateDays: 100, rowsDeleted: expect.any(Number), moved: { rtp_samples: Number(old!.recent) }, deleted: { rtp_samples: Number(old!.rtp) } })

    // A rerun finds nothing to move or delete and changes nothing.
    const rerun = await api('PUT', `/v1/admin/tenants/${testTenant}/retention`, adminKey, { rawDays: 3, aggregateDays: 100 })
    expect(rerun.status).toBe(200)
    expect(Object.values(rerun.body['moved'] as Record<string, number>).every((n) => n === 0)).toBe(true)
    expect(Object.values(rerun.body['deleted'] as Record<string, number>).every((n) => n === 0)).toBe(true)
    expect(await perTable()).toEqual(after)
    expect(await aggregates()).toEqual(aggregatesBefore)
  }, 60_000)

  it('new frames after the change carry the new values; GET shows where each value comes from', async () => {
    const shown = await api('GET', `/v1/admin/tenants/${testTenant}/retention`, adminKey)
    expect(shown.body).toMatchObject({ raw: { days: 3, source: 'run-time' }, aggregate: { days: 100, source: 'run-time' }, setAt: expect.any(String) })
    // The inventory (Art. 30 record) shows the run-time setting too.
    const inventory = await api('GET', '/v1/admin/inventory', adminKey)
    expect(JSON.stringify(inventory.body)).toContain(JSON.stringify({ tenant: testTenant, rawDays: 3, aggregateDays: 100, rawSource: 'run-time', aggregateSource: 'run-time' }))
    await replay(testKey, 'room-after')
    await replay(otherKey, 'room-other-after')
    const rows = await world.query<{ tenant: string; retention_days: number; aggregate_retention_days: number }>(
      `SELECT DISTINCT tenant, retention_days, aggregate_retention_days FROM {db}.rtp_samples WHERE conference_id IN ('room-after', 'room-other-after') ORDER BY ALL`,
    )
    expect(rows.map((r) => [r.tenant, r.retention_days, r.aggregate_retention_days])).toEqual([
      [testTenant, 3, 100],
      [otherTenant, 30, 395],
    ])
    const [state] = await world.query<{ values: number[] }>(`SELECT groupUniqArray(aggregate_retention_days) AS values FROM {db}.quality_minute_state WHERE tenant = {t:String}`, { t: testTenant })
    expect(state!.values).toEqual([100])
    // Clearing the aggregate value falls back to the config default for frames from now on.
    const cleared = await api('PUT', `/v1/admin/tenants/${testTenant}/retention`, adminKey, { aggregateDays: null })
    expect(cleared.body['retention']).toMatchObject({ raw: { days: 3, source: 'run-time' }, aggregate: { days: 395, source: 'config' } })
  }, 90_000)

  it('a rerun after a crash half-way neither loses nor duplicates a row', async () => {
    const target = { rawDays: 4, aggregateDays: 200 }
    const rowsBefore = await perTable()
    const aggregatesBefore = await aggregates()
    const total = (rows: PerTable[], table: string, tenant = testTenant) => rows.filter((r) => r.table === table && r.tenant === tenant).reduce((n, r) => n + Number(r.n), 0)
    // Crash right after the copied raw rows were deleted (they are only in the ready table
    // then), and in the rerun after the first partition of the per-minute aggregates moved.
    for (const crashAt of [{ table: 'connection_samples', step: 'deleted' }, { table: 'quality_minute_state', step: 'partition-moved' }]) {
      await expect(
        applyTenantRetention(world.clickhouse, world.database, testTenant, target, {
          interrupt: (table, step) => {
            if (table === crashAt.table && step === crashAt.step) throw new Error('crash')
          },
        }),
      ).rejects.toThrow('crash')
      const [left] = await world.query<{ n: string }>(`SELECT count() AS n FROM system.tables WHERE database = {database:String} AND name = {name:String}`, {
        database: world.database,
        name: `${crashAt.table}__retention_ready__${testTenant}`,
      })
      expect(Number(left!.n), `${crashAt.table} ready table after the crash`).toBe(1)
    }
    // Through the API, as an operator would rerun it: it finishes the crashed run first.
    const rerun = await api('PUT', `/v1/admin/tenants/${testTenant}/retention`, adminKey, target)
    expect(rerun.status, JSON.stringify(rerun.body)).toBe(200)
    const rowsAfter = await perTable()
    for (const { table } of retentionTables) {
      expect(total(rowsAfter, table), table).toBe(total(rowsBefore, table))
      expect(total(rowsAfter, table, otherTenant), table).toBe(total(rowsBefore, table, otherTenant))
    }
    for (const row of rowsAfter.filter((r) => r.tenant === testTenant)) expect(row.aggregate, row.table).toBe(200)
    expect(await aggregates()).toEqual(aggregatesBefore)
    const [scratch] = await world.query<{ n: string }>(`SELECT count() AS n FROM system.tables WHERE database = {database:String} AND name LIKE '%\\_\\_retention\\_%'`, { database: world.database })
    expect(Number(scratch!.n)).toBe(0)
  }, 60_000)
})
