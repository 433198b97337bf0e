// The privacy officer's erasure and export of one data subject, and a tenant's erasure, on
// real parts (nats-server, chdb, uWS ingest, the admin API): the subject is erased given in
// another phone spelling than it was sent with, nothing of it stays in any table (aggregates
// included), others are untouched, the audit log holds the pseudonyms and never the raw value.
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { headers } from '@nats-io/nats-core'
import { connect } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { hashKey } from '../lib/key-hash.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import type { CallContext } from '../schemas/frames.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { createTestWorld, eventually, testKey, testTenant, type TestWorld } from './support/test-pipeline.ts'

const adminKey = 'cm_admin_test_officer_0123456789'
const analystKey = 'cm_analyst_test_acme_0123456789'
const betaKey = 'test-key-beta-0123456789'
// Sent as a URI in compact form; erased as a person would write it.
const subjectAsSent = 'tel:+4917612345678'
const subjectAsAsked = '+49 (176) 1234-5678'
const rawForms = ['4917612345678', '1234-5678', '176) 1234']

let world: TestWorld
let pipeline: Pipeline

async function sendCall(key: string, contexts: Record<string, CallContext>): Promise<number> {
  const frames = captureFrames(loadCapture('chromium-loopback-audio.json'))
  const clients = new Map<string, CallmaskClient>()
  for (const frame of frames) {
    let client = clients.get(frame.peerId)
    if (!client) {
      client = new CallmaskClient({ url: pipeline.ingest!.url, key })
      await client.connect()
      clients.set(frame.peerId, client)
    }
    await client.sendStats(contexts[frame.peerId]!, selectReports(frame.reports), frame.ts)
  }
  for (const client of clients.values()) {
    await client.waitForAck(undefined, 30_000)
    client.close()
  }
  return frames.length
}

async function api(path: string, body: unknown, key = adminKey): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(`${pipeline.api!.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await response.text()
  let json: any
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, json, text }
}

/** Rows per table that hold `needle` in any string column (tenant aside). */
async function rowsHolding(needle: string, tenant = testTenant): Promise<Record<string, number>> {
  const columns = await world.query<{ table: string; name: string }>(
    `SELECT table, name FROM system.columns WHERE database = {db:String} AND type LIKE '%String%' AND type NOT LIKE 'Array%' AND table NOT IN ('schema_migrations', 'audit_log', 'erasure_list') AND table IN (SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree')`,
    { db: world.database },
  )
  const byTable = new Map<string, string[]>()
  for (const c of columns) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c.name])
  const found: Record<string, number> = {}
  for (const [table, names] of byTable) {
    const [row] = await world.query<{ n: string }>(`SELECT count() AS n FROM {db}.${table} WHERE tenant = {tenant:String} AND (${names.map((n) => `position(toString(${n}), {needle:String}) > 0`).join(' OR ')})`, { needle, tenant })
    if (Number(row!.n) > 0) found[table] = Number(row!.n)
  }
  return found
}

describe('erasure and export of a data subject (integration)', () => {
  let subjectPseudonym: string
  let sentFrames: number
  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({
      ingestKeys: [
        { id: 'test', tenant: testTenant, sha256: hashKey(testKey) },
        { id: 'beta', tenant: 'beta', sha256: hashKey(betaKey) },
      ],
      apiKeys: [
        { id: 'officer', role: 'admin', sha256: hashKey(adminKey) },
        { id: 'analyst-acme', role: 'analyst', tenant: testTenant, sha256: hashKey(analystKey) },
      ],
      erasureRefreshMs: 200,
    })
    const contexts = (participant: string): Record<string, CallContext> => ({
      caller: { conferenceId: 'room-a', callId: 'call-1', participantId: participant, peerConnectionId: 'pc-caller' },
      callee: { conferenceId: 'room-a', callId: 'call-1', participantId: 'user-bob', peerConnectionId: 'pc-callee' },
    })
    const before = pipeline.processor!.stats.messages
    sentFrames = (await sendCall(testKey, contexts(subjectAsSent))) + (await sendCall(betaKey, contexts(subjectAsSent)))
    await eventually(() => pipeline.processor!.stats.messages === before + sentFrames, 60_000, 'both calls stored')
    const [row] = await world.query<{ p: string }>(`SELECT any(participant_id) AS p FROM {db}.rtp_samples WHERE tenant = 'acme' AND peer_connection_id = 'pc-caller'`)
    subjectPseudonym = row!.p
  }, 120_000)
  afterAll(async () => world?.close())

  it('refuses keys that may not erase, and a tenant erasure without confirmation', async () => {
    expect((await api(`/v1/admin/tenants/acme/subjects/erase`, { identifier: subjectAsAsked }, analystKey)).status).toBe(403)
    expect((await api(`/v1/admin/tenants/acme/subjects/erase`, { identifier: subjectAsAsked }, 'wrong-key')).status).toBe(401)
    const unconfirmed = await api(`/v1/admin/tenants/acme/erase`, { confirm: 'yes' })
    expect(unconfirmed.status).toBe(400)
    expect(unconfirmed.json.message).toContain('"confirm": "acme"')
    expect((await api(`/v1/admin/tenants/acme/subjects/erase`, { identifier: '' })).status).toBe(400)
  })

  it('exports the subject\'s rows as stored, in JSON and CSV', async () => {
    expect(subjectPseudonym).toMatch(/^p_k1_/)
    const [expected] = await world.query<{ n: string }>(`SELECT count() AS n FROM {db}.rtp_samples WHERE tenant = 'acme' AND participant_id = {p:String}`, { p: subjectPseudonym })
    expect(Number(expected!.n)).toBeGreaterThan(10)
    const json = await api(`/v1/admin/tenants/acme/subjects/export`, { identifier: subjectAsAsked })
    expect(json.status).toBe(200)
    expect(json.json.pseudonyms).toContain(subjectPseudonym)
    const rtp = json.json.tables.rtp_samples as { participant_id: string; peer_connection_id: string; seq: number }[]
    expect(rtp).toHaveLength(Number(expected!.n))
    expect(new Set(rtp.map((r) => r.participant_id))).toEqual(new Set([subjectPseudonym]))
    // Every frame the subject's client sent (seq 1..n) is in the export, and nothing else.
    const callerFrames = captureFrames(loadCapture('chromium-loopback-audio.json')).filter((f) => f.peerId === 'caller').length
    const seqs = [...new Set(rtp.map((r) => Number(r.seq)))].sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: callerFrames }, (_, i) => i + 1))
    expect(new Set(rtp.map((r) => r.peer_connection_id))).toEqual(new Set(['pc-caller']))
    expect(json.json.tables.call_stream_state.length).toBeGreaterThan(0)
    expect(json.text).not.toContain('pc-callee')
    for (const raw of rawForms) expect(json.text).not.toContain(raw)
    const csv = await api(`/v1/admin/tenants/acme/subjects/export`, { identifier: subjectAsAsked, format: 'csv', table: 'rtp_samples' })
    expect(csv.status).toBe(200)
    const lines = csv.text.trim().split('\n')
    expect(lines[0]).toContain('participant_id')
    expect(lines).toHaveLength(rtp.length + 1)
    expect((await api(`/v1/admin/tenants/acme/subjects/export`, { identifier: subjectAsAsked, format: 'csv' })).status).toBe(400)
  })

  it('erases the subject from every table, aggregates rebuilt without it, others untouched, audited by pseudonym', async () => {
    const before = await rowsHolding(subjectPseudonym)
    expect(before['rtp_samples']).toBeGreaterThan(10)
    expect(before['call_stream_state']).toBeGreaterThan(0)
    const bobBefore = await world.query<{ n: string }>(`SELECT count() AS n FROM {db}.rtp_samples WHERE tenant = 'acme' AND peer_connection_id = 'pc-callee'`)
    expect(Number(bobBefore[0]!.n)).toBeGreaterThan(10)
    const betaBefore = await world.query<{ n: string }>(`SELECT count() AS n FROM {db}.rtp_samples WHERE tenant = 'beta'`)
    const minuteIntervals = `SELECT toString(minute) AS minute, kind, direction, countMerge(intervals) AS n FROM {db}.quality_minute_state WHERE tenant = 'acme' GROUP BY minute, kind, direction HAVING n > 0 ORDER BY minute, kind, direction`
    const fromRaw = `SELECT toString(toStartOfMinute(report_ts)) AS minute, kind, if(report_type = 'inbound-rtp', 'received', 'sent') AS direction, count() AS n FROM {db}.rtp_samples
                     WHERE tenant = 'acme' AND interval_state = 'ok' AND report_type IN ('inbound-rtp', 'remote-inbound-rtp') GROUP BY minute, kind, direction ORDER BY minute, kind, direction`
    const aggregateBefore = await world.query<{ n: string }>(minuteIntervals)
    expect(aggregateBefore).toEqual(await world.query(fromRaw))

    const erased = await api(`/v1/admin/tenants/acme/subjects/erase`, { identifier: subjectAsAsked })
    expect(erased.status).toBe(200)
    expect(erased.json.pseudonyms).toContain(subjectPseudonym)
    expect(erased.json.deleted).toEqual(before)
    expect(erased.json.rebuiltGroups.quality_minute_state).toBeGreaterThan(0)

    expect(await rowsHolding(subjectPseudonym)).toEqual({})
    // The erasure list keeps the pseudonyms (and only them) for frames still in flight.
    expect(await world.query(`SELECT pseudonym FROM {db}.erasure_list WHERE pseudonym = {p:String}`, { p: subjectPseudonym })).toHaveLength(1)
    // Aggregates now hold exactly what the remaining raw rows (the other participant) give.
    const aggregateAfter = await world.query<{ n: string }>(minuteIntervals)
    expect(aggregateAfter.length).toBeGreaterThan(0)
    expect(aggregateAfter).toEqual(await world.query(fromRaw))
    expect(aggregateAfter.reduce((a, r) => a + Number(r.n), 0)).toBeLessThan(aggregateBefore.reduce((a, r) => a + Number(r.n), 0))
    expect(await world.query(`SELECT count() AS n FROM {db}.rtp_samples WHERE tenant = 'acme' AND peer_connection_id = 'pc-callee'`)).toEqual(bobBefore)
    expect(await world.query(`SELECT count() AS n FROM {db}.rtp_samples WHERE tenant = 'beta'`)).toEqual(betaBefore)

    const audit = await world.query<{ operation: string; target: string; details: string; key_id: string }>(`SELECT operation, target, details, key_id FROM {db}.audit_log WHERE operation = 'erase-subject'`)
    expect(audit).toHaveLength(1)
    expect(audit[0]!.target).toContain(subjectPseudonym)
    expect(audit[0]!.key_id).toBe('officer')
    const everything = JSON.stringify(await world.query(`SELECT * FROM {db}.audit_log`))
    expect(everything).toContain('export-subject')
    for (const raw of rawForms) expect(everything).not.toContain(raw)
    for (const line of world.logs) for (const raw of rawForms) expect(line).not.toContain(raw)

    // Idempotent: nothing left to find.
    const again = await api(`/v1/admin/tenants/acme/subjects/erase`, { identifier: subjectAsSent })
    expect(again.status).toBe(200)
    expect(again.json.deleted).toEqual({})
  }, 60_000)

  it('erases a tenant: rows, keys, and the same raw ids sent again get unrelated pseudonyms', async () => {
    const [betaSubject] = await world.query<{ p: string }>(`SELECT any(participant_id) AS p FROM {db}.rtp_samples WHERE tenant = 'beta' AND peer_connection_id = 'pc-caller'`)
    expect(betaSubject!.p).toMatch(/^p_k1_/)
    const erased = await api(`/v1/admin/tenants/beta/erase`, { confirm: 'beta' })
    expect(erased.status).toBe(200)
    expect(erased.json.deleted.rtp_samples).toBeGreaterThan(10)
    expect(erased.json.destroyedKeyVersions).toEqual([1])
    for (const table of ['rtp_samples', 'connection_samples', 'call_events', 'call_stream_state', 'quality_minute_state']) {
      expect(await world.query(`SELECT toUInt32(count()) AS n FROM {db}.${table} WHERE tenant = 'beta'`), table).toEqual([{ n: 0 }])
    }
    const acme = await world.query<{ n: string }>(`SELECT count() AS n FROM {db}.rtp_samples WHERE tenant = 'acme'`)
    expect(Number(acme[0]!.n)).toBeGreaterThan(0)

    const before = pipeline.processor!.stats.messages
    const frames = await sendCall(betaKey, {
      caller: { conferenceId: 'room-a', callId: 'call-1', participantId: subjectAsSent, peerConnectionId: 'pc-caller' },
      callee: { conferenceId: 'room-a', callId: 'call-1', participantId: 'user-bob', peerConnectionId: 'pc-callee' },
    })
    await eventually(() => pipeline.processor!.stats.messages === before + frames, 60_000, 'the new call stored')
    const [again] = await world.query<{ p: string }>(`SELECT any(participant_id) AS p FROM {db}.rtp_samples WHERE tenant = 'beta' AND peer_connection_id = 'pc-caller'`)
    expect(again!.p).toMatch(/^p_k2_/)
    expect(again!.p.slice(5)).not.toBe(betaSubject!.p.slice(5))
  }, 90_000)
})

describe('erasure while the subject\'s frames still wait in JetStream (integration)', () => {
  it('leaves nothing of the subject once a processor drained them, and erases its dead letters', async () => {
    const inFlight = await createTestWorld()
    world = inFlight
    try {
      const keys = {
        ingestKeys: [{ id: 'test', tenant: testTenant, sha256: hashKey(testKey) }],
        apiKeys: [{ id: 'officer', role: 'admin' as const, sha256: hashKey(adminKey) }],
        erasureRefreshMs: 200,
      }
      // Ingest alone: the frames are acked (stored in JetStream) and wait there.
      pipeline = await inFlight.start({ ...keys, role: 'ingest' })
      const subject = 'tel:+4915112345678'
      const frames = await sendCall(testKey, {
        caller: { conferenceId: 'room-b', callId: 'call-2', participantId: subject, peerConnectionId: 'pc-caller' },
        callee: { conferenceId: 'room-b', callId: 'call-2', participantId: 'user-bob', peerConnectionId: 'pc-callee' },
      })
      // Dead letters as the processor writes them: the client's frame with its envelope headers.
      const nc = await connect(inFlight.natsOptions('admin'))
      const js = jetstream(nc)
      const deadLetter = async (body: string, encoding = 'json') => {
        const h = headers()
        h.set('Callmask-Tenant', testTenant)
        h.set('Callmask-Encoding', encoding)
        await js.publish('callmask.dlq.acme', new TextEncoder().encode(body), { headers: h })
      }
      await deadLetter(JSON.stringify({ type: 'event', seq: 9, ts: 1, call: { conferenceId: 'room-b', participantId: '+49 151 12345678' }, event: { name: 'x' } }))
      await deadLetter('\u00ff\u00fe not msgpack, +4915112345678 inside', 'msgpack')
      await deadLetter(JSON.stringify({ type: 'event', seq: 10, ts: 1, call: { conferenceId: 'room-b', participantId: 'user-bob' }, event: { name: 'x' } }))
      const jsm = await jetstreamManager(nc)
      expect((await jsm.streams.info('CALLMASK')).state.messages).toBe(frames)

      const apiOnly = await inFlight.start({ ...keys, role: 'api' })
      const response = await fetch(`${apiOnly.api!.url}/v1/admin/tenants/acme/subjects/erase`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ identifier: '+49 151 1234 5678' }),
      })
      const erased = (await response.json()) as { deleted: Record<string, number>; pseudonyms: string[]; deadLetters: number }
      expect(response.status).toBe(200)
      expect(erased.deleted).toEqual({})
      expect(erased.deadLetters).toBe(2)
      expect((await jsm.streams.info('CALLMASK_DLQ')).state.messages).toBe(1)
      await nc.close()

      const processor = await inFlight.start({ ...keys, role: 'processor' })
      await eventually(() => processor.processor!.stats.messages === frames, 60_000, 'the waiting frames processed')
      const bob = await inFlight.query<{ n: string }>(`SELECT count() AS n FROM {db}.rtp_samples WHERE peer_connection_id = 'pc-callee'`)
      expect(Number(bob[0]!.n)).toBeGreaterThan(10)
      expect(processor.processor!.stats.inserted).toBeLessThan(processor.processor!.stats.rows)
      for (const pseudonym of erased.pseudonyms) expect(await rowsHolding(pseudonym)).toEqual({})
      const stored = await inFlight.query<{ p: string }>(`SELECT DISTINCT peer_connection_id AS p FROM {db}.rtp_samples`)
      expect(stored).toEqual([{ p: 'pc-callee' }])
    } finally {
      await inFlight.close()
    }
  }, 120_000)
})
