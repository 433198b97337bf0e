// Regressions: two connections with one session id were both accepted, a resent seq was
// dropped without a trace, and a key could not insist on an Origin. The protocol section of
// the README says what the hello's ack means; these tests hold the server to it.
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeCodes, wireErrorCodes } from '../lib/errors.ts'
import { hashIngestKey } from '../ingest/ingest-keys.ts'
import type { Pipeline } from '../app/pipeline.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { rawHello, rawSession } from './support/raw-session.ts'
import { createTestWorld, eventually, testKey, testTenant, type TestWorld } from './support/test-pipeline.ts'

const call = { conferenceId: 'resume-room', participantId: 'u-r', peerConnectionId: 'pc-r' }
const browserKey = 'browser-key-acme-0123456789'

describe('sessions and resume (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let url: string
  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({
      ingestKeys: [
        { id: 'test', tenant: testTenant, sha256: hashIngestKey(testKey) },
        { id: 'browser', tenant: testTenant, sha256: hashIngestKey(browserKey), origins: ['https://app.example.com'], requireOrigin: true },
      ],
    })
    url = pipeline.ingest!.url
  })
  afterAll(async () => world?.close())

  const stored = async () => Number((await world.query<{ n: string }>("SELECT count() AS n FROM {db}.call_events WHERE conference_id = 'resume-room'"))[0]?.n)

  it('the takeover works across ingest processes: a hello on another ingest closes the older connection with 4009', async () => {
    const otherCall = { ...call, conferenceId: 'resume-room-across' }
    const other = await world.start({ role: 'ingest' })
    const first = await rawSession(url)
    first.send(rawHello(testKey, 'shared-session-across'))
    await first.next('ack')
    first.send({ type: 'event', seq: 1, ts: Date.now(), call: otherCall, name: 'join' })
    await eventually(() => first.frames.some((f) => f['type'] === 'ack' && f['seq'] === 1), 10_000, 'seq 1 acked')

    const second = await rawSession(other.ingest!.url)
    second.send({ ...rawHello(testKey, 'shared-session-across'), lastAckedSeq: 1 })
    expect(await second.next('ack')).toMatchObject({ seq: 1 })
    expect(await first.next('error')).toMatchObject({ code: wireErrorCodes.sessionReplaced, retryable: false })
    expect((await first.closed).code).toBe(closeCodes.sessionReplaced)
    second.send({ type: 'event', seq: 2, ts: Date.now(), call: otherCall, name: 'leave' })
    await eventually(() => second.frames.some((f) => f['type'] === 'ack' && f['seq'] === 2), 10_000, 'seq 2 acked on the other ingest')
    // A third connection back on the first ingest takes it over again, from the other ingest.
    const third = await rawSession(url)
    third.send({ ...rawHello(testKey, 'shared-session-across'), lastAckedSeq: 2 })
    expect(await third.next('ack')).toMatchObject({ seq: 2 })
    expect((await second.closed).code).toBe(closeCodes.sessionReplaced)
    await other.close()
  })

  it('a second connection with the same session id takes over: the older one gets SESSION_REPLACED and close 4009', async () => {
    const first = await rawSession(url)
    first.send(rawHello(testKey, 'shared-session-1'))
    await first.next('ack')
    first.send({ type: 'event', seq: 1, ts: Date.now(), call, name: 'join' })
    await eventually(() => first.frames.some((f) => f['type'] === 'ack' && f['seq'] === 1), 10_000, 'seq 1 acked')

    const second = await rawSession(url)
    second.send({ ...rawHello(testKey, 'shared-session-1'), lastAckedSeq: 1 })
    expect(await first.next('error')).toMatchObject({ code: wireErrorCodes.sessionReplaced, retryable: false })
    expect((await first.closed).code).toBe(closeCodes.sessionReplaced)
    // The hello's ack echoes the resume point the client claimed (the server keeps no state
    // across connections); the new connection goes on from there.
    expect(await second.next('ack')).toMatchObject({ seq: 1 })
    second.send({ type: 'event', seq: 2, ts: Date.now(), call, name: 'leave' })
    await eventually(() => second.frames.some((f) => f['type'] === 'ack' && f['seq'] === 2), 10_000, 'seq 2 acked')
    await eventually(async () => (await stored()) === 2, 15_000, 'both frames stored')
  })

  it('a resent seq is acknowledged and counted, never stored twice', async () => {
    const s = await rawSession(url)
    s.send(rawHello(testKey, 'resend-session-1'))
    await s.next('ack')
    const before = await stored()
    const frame = { type: 'event', seq: 1, ts: Date.now(), call, name: 'mute' }
    s.send(frame)
    await eventually(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 1), 10_000, 'first ack')
    s.frames.length = 0
    // The same seq again, even with other content: JetStream's duplicate window keeps the first.
    s.send({ ...frame, name: 'unmute' })
    await eventually(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 1), 10_000, 'the resend acked')
    const metrics = await (await fetch(`http://127.0.0.1:${pipeline.ingest!.port}/metrics`)).text()
    expect(metrics).toMatch(/^callmask_ingest_duplicate_frames_total [1-9]/m)
    await eventually(async () => (await stored()) === before + 1, 15_000, 'one row for the seq')
    const names = await world.query<{ name: string }>("SELECT name FROM {db}.call_events WHERE conference_id = 'resume-room' AND name IN ('mute', 'unmute')")
    expect(names.map((r) => r.name)).toEqual(['mute'])
  })

  it('a key with requireOrigin refuses a connection without Origin and accepts its listed site', async () => {
    const without = await rawSession(url)
    without.send(rawHello(browserKey))
    expect(await without.next('error')).toMatchObject({ code: wireErrorCodes.badKey })
    expect((await without.closed).code).toBe(closeCodes.badKey)

    const socket = new WebSocket(url, 'callmask.v1.json', { headers: { origin: 'https://app.example.com' } })
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())))
    socket.send(JSON.stringify(rawHello(browserKey)))
    expect(JSON.parse(await reply)).toEqual({ type: 'ack', seq: 0 })
    socket.close()
  })

  // Regression: `anna-schmidt-08` and `Anna-Schmidt-08` were stored under one session id, so
  // the second session's frames were taken for redeliveries of the first: acked, never stored.
  it('session ids that differ only in spelling keep their frames apart', async () => {
    for (const sessionId of ['anna-schmidt-08', 'Anna-Schmidt-08', 'AnnaSchmidt-08']) {
      const s = await rawSession(url)
      s.send(rawHello(testKey, sessionId))
      await s.next('ack')
      for (let seq = 1; seq <= 3; seq++) s.send({ type: 'event', seq, ts: Date.now(), call: { ...call, conferenceId: 'spelling-room' }, name: 'join' })
      await eventually(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 3), 10_000, `${sessionId} acked`)
    }
    await eventually(async () => {
      const [row] = await world.query<{ n: string; sessions: string }>("SELECT count() AS n, uniqExact(session_id) AS sessions FROM {db}.call_events WHERE conference_id = 'spelling-room'")
      return Number(row?.n) === 9 && Number(row?.sessions) === 3
    }, 15_000, 'nine rows in three sessions')
    const ids = await world.query<{ session_id: string }>("SELECT DISTINCT session_id FROM {db}.call_events WHERE conference_id = 'spelling-room'")
    for (const { session_id } of ids) expect(session_id).toMatch(/^p_k1_[\w-]{22}$/)
  })

  it('the Node client stops when its session is taken over (no ping-pong over one seq space)', async () => {
    const errors: string[] = []
    const first = new CallmaskClient({ url, key: testKey, sessionId: 'pingpong-session', onError: (e) => errors.push(e.code) })
    await first.connect()
    await first.sendEvent(call, 'join', undefined, Date.now())
    await first.waitForAck()
    const second = new CallmaskClient({ url, key: testKey, sessionId: 'pingpong-session' })
    await second.connect()
    await eventually(() => errors.includes(wireErrorCodes.sessionReplaced), 10_000, 'the first client told')
    // The second keeps the session: its frames are acked, and the first does not come back.
    await second.sendEvent(call, 'leave', undefined, Date.now())
    await second.waitForAck()
    expect(errors.filter((c) => c === wireErrorCodes.sessionReplaced)).toHaveLength(1)
    first.close()
    second.close()
  })
})
