// End to end with real parts: the av capture (both peers) through a real WebSocket into
// uWS ingest, JetStream, the processor and chdb; then what landed is checked row by row.
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { framesStream } from '../lib/jetstream-streams.ts'
import type { Pipeline } from '../app/pipeline.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture, personalContext, rawPersonalValues, type CaptureFrame } from './support/captures.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

// Computed from the fixture independently of the processor's mapper.
function expectedRows(frames: CaptureFrame[]) {
  let rtp = 0
  let pairs = 0
  for (const frame of frames) {
    for (const report of frame.reports) {
      const type = String(report['type'])
      if (type.endsWith('-rtp')) rtp++
      if (type === 'candidate-pair') pairs++
    }
  }
  return { rtp, pairs }
}

describe('pipeline end to end (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  const frames = captureFrames(loadCapture('chromium-loopback-av.json'))

  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start()
  })
  afterAll(async () => world?.close())

  it('stores every sample of both peers exactly once, pseudonymised', async () => {
    const clients = new Map<string, CallmaskClient>()
    for (const peerId of ['caller', 'callee']) {
      const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey, encoding: peerId === 'caller' ? 'msgpack' : 'json' })
      await client.connect()
      clients.set(peerId, client)
    }
    for (const frame of frames) await clients.get(frame.peerId)!.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    for (const client of clients.values()) await client.waitForAck(undefined, 30_000)
    expect([...clients.values()].map((c) => c.lastAckedSeq)).toEqual([31, 31])

    const expected = expectedRows(frames)
    expect(expected.rtp).toBeGreaterThan(200)
    await eventually(async () => {
      const [row] = await world.query<{ n: string }>('SELECT count() AS n FROM {db}.rtp_samples')
      return Number(row?.n) >= expected.rtp
    }, 30_000, 'rtp rows')
    await pipeline.processor!.close() // flushes and acks everything
    const [counts] = await world.query<{ rtp: string; pairs: string; distinct_frames: string }>(
      `SELECT (SELECT count() FROM {db}.rtp_samples) AS rtp, (SELECT count() FROM {db}.connection_samples) AS pairs,
              (SELECT uniqExact(session_id, seq, report_id) FROM {db}.rtp_samples) AS distinct_frames`,
    )
    expect(Number(counts!.rtp)).toBe(expected.rtp)
    expect(Number(counts!.pairs)).toBe(expected.pairs)
    expect(Number(counts!.distinct_frames)).toBe(expected.rtp)
    // Work-queue retention: the raw frames left JetStream once they were stored.
    const nc = await connect(world.natsOptions('admin'))
    const jsm = await jetstreamManager(nc)
    await eventually(async () => (await jsm.streams.info(framesStream)).state.messages === 0, 10_000, 'an empty stream')
    expect((await jsm.streams.info(framesStream)).state.last_seq).toBe(frames.length)
    await nc.close()

    const people = await world.query<{ participant_id: string; display_name: string; conference_id: string }>(
      'SELECT DISTINCT participant_id, display_name, conference_id FROM {db}.rtp_samples',
    )
    expect(people).toHaveLength(2)
    for (const row of people) {
      expect(row.participant_id).toMatch(/^p_k1_[A-Za-z0-9_-]{22}$/)
      expect(row.display_name).toMatch(/^p_k1_[A-Za-z0-9_-]{22}$/)
      // The phone number is replaced by its pseudonym; the readable rest of the id stays.
      expect(row.conference_id).toMatch(/^p_k1_[A-Za-z0-9_-]{22}-daily$/)
    }
    expect(new Set(people.map((p) => p.participant_id)).size).toBe(2)
    expect(new Set(people.map((p) => p.conference_id)).size).toBe(1)
  })

  it('leaves no raw personal value in any String column, nor in the logs', async () => {
    const columns = await world.query<{ table: string; name: string }>(
      `SELECT table, name FROM system.columns WHERE database = {database:String} AND type LIKE '%String%'`,
      { database: world.database },
    )
    expect(columns.length).toBeGreaterThan(20)
    // An absence proves something only where there is data: the scanned tables hold the
    // capture's rows, and their identifier columns are filled (pseudonymised, not empty).
    const [present] = await world.query<{ rtp: string; pairs: string; named: string }>(
      `SELECT (SELECT count() FROM {db}.rtp_samples) AS rtp, (SELECT count() FROM {db}.connection_samples) AS pairs,
              (SELECT countIf(participant_id != '' AND conference_id != '') FROM {db}.rtp_samples) AS named`,
    )
    expect(Number(present!.rtp)).toBe(expectedRows(frames).rtp)
    expect(Number(present!.pairs)).toBe(expectedRows(frames).pairs)
    expect(present!.named).toBe(present!.rtp)
    for (const { table, name } of columns) {
      const [hit] = await world.query<{ n: string }>(
        `SELECT count() AS n FROM {db}.${table} WHERE multiSearchAnyCaseInsensitive(toString(${name}), {needles:Array(String)})`,
        { needles: rawPersonalValues },
      )
      expect(Number(hit?.n), `${table}.${name}`).toBe(0)
    }
    const logText = world.logs.join('\n')
    // Start-up says whether uWS runs natively (it does on this machine: the shim would be 10x slower).
    expect(logText).toContain('uWebSockets.js runs natively')
    // The native parts whose install scripts package.json allows (allowScripts) really load.
    expect(logText).toContain('msgpackr native acceleration is on')
    expect(world.logs.length).toBeGreaterThan(0)
    for (const value of rawPersonalValues) expect(logText).not.toContain(value)
  })

  it('serves health, readiness and metrics that count what happened and hold no identifier', async () => {
    const base = `http://127.0.0.1:${pipeline.ingest!.port}`
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok')
    // The first test stopped this process's processor: in role all, /readyz answers for it too.
    expect(pipeline.processor!.consuming).toBe(false)
    expect((await fetch(`${base}/readyz`)).status).toBe(503)
    const metrics = await (await fetch(`${base}/metrics`)).text()
    expect(metrics).toContain(`callmask_ingest_frames_total{type="stats"} ${frames.length}`)
    const expected = expectedRows(frames)
    expect(metrics).toContain(`callmask_processor_rows_total ${expected.rtp + expected.pairs}`)
    for (const value of rawPersonalValues) expect(metrics).not.toContain(value)
    expect((await fetch(`${base}/nope`)).status).toBe(404)
  })

  it('drops ufrags, certificates and raw candidate addresses', async () => {
    const pairs = await world.query<{ local_address_truncated: string }>('SELECT DISTINCT local_address_truncated FROM {db}.connection_samples')
    expect(pairs.map((p) => p.local_address_truncated)).toEqual(['127.0.0.0'])
    const columns = await world.query<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = {database:String}`,
      { database: world.database },
    )
    const names = columns.map((c) => c.name).join(' ')
    expect(names).not.toMatch(/ufrag|usernameFragment|certificate|fingerprint/i)
    expect(personalContext['caller']!.conferenceId).toContain('+49 176')
  })
})
