// Regressions from a security review that wrote its own clients from the README: decoder
// amplification without a key, 64-bit integers from standard encoders, limits that did not
// count every frame, and a reader that refused what browsers add; the shape walk's edges and
// session ids meant to break the hand-written NATS header block. Each frame goes over a
// real socket into the real pipeline (uWS, nats-server, chdb).
import { encode as standardEncode } from '@msgpack/msgpack'
import { Packr } from 'msgpackr'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeCodes, wireErrorCodes } from '../lib/errors.ts'
import type { Pipeline } from '../app/pipeline.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'
import { rawHello, rawSession } from './support/raw-session.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const call = { conferenceId: 'room-h', participantId: 'u-h', peerConnectionId: 'pc-h' }

describe('hostile frames (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let url: string
  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({ framesPerSecondPerSession: 1 })
    url = pipeline.ingest!.url
  })
  afterAll(async () => world?.close())

  const metrics = async () => (await fetch(`http://127.0.0.1:${pipeline.ingest!.port}/metrics`)).text()

  // One 8 KiB string, referenced 125 times from a report referenced 256 times: with
  // structured clone this ~9 KB frame expanded to 262M characters for ajv to check, before
  // any key was checked.
  function amplifyingFrame(): Uint8Array {
    const leaf = { text: 'x'.repeat(8192) }
    const report: Record<string, unknown> = { id: 'r', type: 'codec', timestamp: 1 }
    for (let i = 0; i < 125; i++) report[`f${i}`] = leaf
    return new Packr({ structuredClone: true, useRecords: false }).pack({ type: 'stats', seq: 1, ts: Date.now(), call, reports: Array(256).fill(report) })
  }

  it('a structured-clone reference bomb before the hello: refused without decoding, close 4001', async () => {
    const bomb = amplifyingFrame()
    expect(bomb.byteLength).toBeLessThan(20_000)
    const s = await rawSession(url)
    s.sendRaw(Buffer.from(bomb))
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.noHello, retryable: false })
    expect((await s.closed).code).toBe(closeCodes.noHello)
  })

  it('after the hello: references, records and msgpackr extensions are MALFORMED, the session goes on', async () => {
    const s = await rawSession(url)
    s.send(rawHello(testKey))
    await s.next('ack')
    const frames = [
      amplifyingFrame(),
      new Packr({ useRecords: true }).pack({ type: 'event', seq: 1, ts: Date.now(), call, name: 'join' }),
      new Packr({ useRecords: false, moreTypes: true }).pack({ type: 'event', seq: 1, ts: Date.now(), call, name: 'join', value: new Set([1]) as never }),
      new Packr({ useRecords: false }).pack({ type: 'event', seq: 1, ts: Date.now(), call, name: 'join', value: new Uint8Array([1, 2]) as never }),
    ]
    for (const frame of frames) {
      s.sendRaw(Buffer.from(frame))
      const error = await s.next('error')
      expect(error).toMatchObject({ code: wireErrorCodes.malformed, retryable: false })
      expect(String(error['message'])).toMatch(/^the frame is not accepted msgpack: (msgpack extension types|binary values) are not accepted$/)
    }
  })

  it('a first frame that is not a valid hello closes 4001: malformed, oversized, or data', async () => {
    for (const first of [Buffer.from([0xc1]), Buffer.from(new Packr({ useRecords: false }).pack({ ...rawHello(testKey), pad: 'x'.repeat(3000) }))]) {
      const s = await rawSession(url)
      s.sendRaw(first)
      expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.noHello })
      expect((await s.closed).code).toBe(closeCodes.noHello)
    }
  })

  it('frames from a standard encoder with 64-bit integers (ts in ms) are stored', async () => {
    const socket = new WebSocket(url, 'callmask.v1.msgpack')
    const received: unknown[] = []
    socket.on('message', (data: Buffer) => received.push(new Packr({ useRecords: false }).unpack(data)))
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    socket.send(standardEncode(rawHello(testKey, 'standard-encoder-1')))
    const ts = Date.now()
    const bytes = standardEncode({ type: 'event', seq: 1, ts, call: { ...call, conferenceId: 'int64-room' }, name: 'join' })
    expect(Buffer.from(bytes).includes(Buffer.from([0xcf]))).toBe(true) // ts written as uint64
    socket.send(bytes)
    await eventually(() => received.some((f) => (f as { type: string; seq: number }).type === 'ack' && (f as { seq: number }).seq === 1), 10_000, 'the int64 frame acked')
    expect(received.filter((f) => (f as { type: string }).type === 'error')).toEqual([])
    socket.close()
    await eventually(async () => {
      const rows = await world.query<{ t: string }>("SELECT toUnixTimestamp64Milli(ts) AS t FROM {db}.call_events WHERE conference_id = 'int64-room'")
      return rows.length === 1 && Number(rows[0]!.t) === ts
    }, 15_000, 'the int64 frame stored with its ts')
  })

  it('every frame counts against the rate limit, malformed ones too', async () => {
    const s = await rawSession(url)
    s.send(rawHello(testKey))
    await s.next('ack')
    // 1 frame/s with 30 s of burst: the 31st frame is over the limit, however bad the first 30.
    for (let i = 0; i < 30; i++) s.sendRaw(Buffer.from([0xc1]))
    for (let i = 0; i < 30; i++) expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.malformed })
    s.sendRaw(Buffer.from([0xc1]))
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.rateLimited, retryable: true })
  })

  it('a ts in seconds gets an error that says so', async () => {
    const s = await rawSession(url)
    s.send(rawHello(testKey))
    await s.next('ack')
    s.send({ type: 'event', seq: 1, ts: Math.floor(Date.now() / 1000), call, name: 'join' })
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.schema, seq: 1, message: '/ts looks like seconds since the epoch: send milliseconds' })
  })

  it('tolerant reader: unknown report types and fields are dropped and counted, the rest stored', async () => {
    const s = await rawSession(url, 'callmask.v1.json')
    s.send(rawHello(testKey))
    await s.next('ack')
    const ts = Date.now()
    const inbound = { id: 'IT01', type: 'inbound-rtp', timestamp: ts, kind: 'audio', ssrc: 1, packetsReceived: 10, newShinyField: { a: [1, 2] } }
    s.send({
      type: 'stats', seq: 1, ts, sdkBuild: '2027.1',
      call: { ...call, conferenceId: 'tolerant-room', hint: 'ignored' },
      reports: [inbound, { id: 'T1', type: 'track', timestamp: ts }, { id: 'N1', type: 'quantum-link', timestamp: ts }],
    })
    await eventually(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 1), 10_000, 'the frame acked')
    expect(s.frames.filter((f) => f['type'] === 'error')).toEqual([])
    await eventually(async () => {
      const rows = await world.query<{ n: string }>("SELECT count() AS n FROM {db}.rtp_samples WHERE conference_id = 'tolerant-room' AND packets_received = 10")
      return Number(rows[0]?.n) === 1
    }, 15_000, 'the inbound-rtp row stored')
    const text = await metrics()
    expect(text).toContain('callmask_processor_dropped_reports_total{report_type="track"} 1')
    expect(text).toContain('callmask_processor_dropped_reports_total{report_type="other"} 1')
    expect(text).toMatch(/^callmask_processor_dropped_fields_total\{report_type="call"\} [1-9]/m)
    expect(text).not.toContain('quantum-link')
    expect(text).not.toContain('newShinyField')
  })

  it('invalid UTF-8 in a text frame: the transport drops the connection (documented); in a binary JSON frame it is MALFORMED', async () => {
    const s = await rawSession(url, 'callmask.v1.json')
    s.send(rawHello(testKey))
    await s.next('ack')
    s.sendRaw(Buffer.from([0x7b, 0xff, 0x7d])) // ws sends a Buffer as a binary frame
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.malformed, message: 'the frame is not valid JSON' })

    const text = new WebSocket(url, 'callmask.v1.json')
    await new Promise((resolve) => text.once('open', resolve))
    text.send(JSON.stringify(rawHello(testKey)))
    await new Promise((resolve) => text.once('message', resolve))
    const closed = new Promise<number>((resolve) => text.once('close', resolve))
    text.send(Buffer.from([0x7b, 0xff, 0x7d]), { binary: false })
    expect([1006, 1007]).toContain(await closed)
  })

  it('identifiers that got through: an e-mail inside an id, a phone as tel:/sip: URI (one pseudonym with E.164)', async () => {
    const s = await rawSession(url)
    s.send(rawHello(testKey))
    await s.next('ack')
    const ts = Date.now()
    const spellings = ['tel:+4917612345678', 'sip:+4917612345678@pbx.example.com', '+49 176 1234 5678']
    spellings.forEach((participantId, i) =>
      s.send({ type: 'event', seq: i + 1, ts, call: { conferenceId: 'ids-room', participantId, peerConnectionId: 'PC-as1987@example.com-1' }, name: 'join' }),
    )
    await eventually(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 3), 10_000, 'three frames acked')
    await eventually(async () => {
      const rows = await world.query<{ n: string }>("SELECT count() AS n FROM {db}.call_events WHERE conference_id = 'ids-room'")
      return Number(rows[0]?.n) === 3
    }, 15_000, 'three events stored')
    const rows = await world.query<{ participant_id: string; peer_connection_id: string }>(
      "SELECT participant_id, peer_connection_id FROM {db}.call_events WHERE conference_id = 'ids-room'",
    )
    expect(new Set(rows.map((r) => r.participant_id)).size).toBe(1)
    for (const row of rows) {
      expect(row.peer_connection_id).toMatch(/^p_k1_[\w-]{22}-1$/)
      expect(row.peer_connection_id).not.toContain('as1987')
    }
  })

  it('error text never echoes more than a bounded part of a client-chosen name', async () => {
    const result = validateClientFrame({ ...rawHello(testKey), ['k'.repeat(5000)]: 1 })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message.length).toBeLessThan(260)
    // Over the socket: a hello with a 1,500-character unknown field (200,033-character error
    // frames were seen before).
    const s = await rawSession(url)
    s.send({ ...rawHello(testKey), ['k'.repeat(1500)]: 1 })
    const error = await s.next('error')
    expect(error).toMatchObject({ code: wireErrorCodes.schema })
    expect(String(error['message']).length).toBeLessThan(260)
    expect(String(error['message'])).toMatch(/^invalid hello: \/k{199}… must NOT have additional properties$/)
    expect((await s.closed).code).toBe(closeCodes.noHello)
  })

  // Regressions from a second review as an attacker.
  it('a JSON frame nested deeper than 16 levels is MALFORMED at ingest (not acked, then dead-lettered), its seq settled', async () => {
    const s = await rawSession(url, 'callmask.v1.json')
    s.send(rawHello(testKey))
    await s.next('ack')
    const deep = '['.repeat(100) + ']'.repeat(100)
    s.sendRaw(Buffer.from(`{"type":"event","seq":1,"ts":${Date.now()},"name":"join","call":{"conferenceId":"c","participantId":"p","peerConnectionId":"pc"},"ext":${deep}}`))
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.malformed, seq: 1, message: 'the frame is not accepted JSON: the frame nests deeper than 16 levels' })
    await eventually(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 1), 10_000, 'the refused seq settled')
  })

  it('a frame refused before decoding (too large) names its seq and is settled: later acks go on', async () => {
    const s = await rawSession(url)
    s.send(rawHello(testKey))
    await s.next('ack')
    s.send({ type: 'event', seq: 1, ts: Date.now(), call, name: 'join', value: 'x'.repeat(300_000) })
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.tooLarge, seq: 1 })
    s.send({ type: 'event', seq: 2, ts: Date.now(), call, name: 'join' })
    await eventually(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 2), 10_000, 'acks past the refused seq')
  })

  it('no raw personal data through the codec column, percent-encoding, form encoding or a digit after the TLD', async () => {
    const s = await rawSession(url, 'callmask.v1.json')
    s.send(rawHello(testKey))
    await s.next('ack')
    const ts = Date.now()
    const inbound = (id: string, codecId: string) => ({ id, type: 'inbound-rtp', timestamp: ts, kind: 'audio', ssrc: 7, codecId, packetsReceived: 1 })
    s.send({
      type: 'stats', seq: 1, ts,
      call: { conferenceId: 'room%2Fanna.schmidt%40example.com', participantId: 'u-1', peerConnectionId: 'Anna+Schmidt' },
      reports: [
        inbound('pc_anna@example.de0', 'C1'),
        { id: 'C1', type: 'codec', timestamp: ts, mimeType: 'audio/opus/anna.schmidt@example.com', payloadType: 111 },
      ],
    })
    await eventually(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 1), 10_000, 'acked')
    let rows: Record<string, string>[] = []
    await eventually(async () => {
      rows = await world.query<Record<string, string>>("SELECT * FROM {db}.rtp_samples WHERE participant_id != '' AND ssrc = 7")
      return rows.length === 1
    }, 15_000, 'the row stored')
    const text = JSON.stringify(rows)
    for (const raw of ['anna', 'Anna', 'schmidt', 'Schmidt', '%40', 'example.de0']) expect(text).not.toContain(raw)
    expect(rows[0]!['codec']).toBe('other')
  })

  // The shape walk's edges over a real socket: counts and lengths the bytes cannot hold (near
  // 2^31 and 2^32), nesting one past the limit with an empty container, a top-level map whose
  // last entry is cut. Each is MALFORMED with the walk's reason; the session goes on.
  it('msgpack declaring more than it holds, or an empty container past the depth limit, is MALFORMED; the session goes on', async () => {
    const s = await rawSession(url)
    s.send(rawHello(testKey))
    await s.next('ack')
    const u32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
    const typeEvent = [0xa4, ...Buffer.from('type'), 0xa5, ...Buffer.from('event')]
    const cases: [number[], string][] = [
      [[0xdf, ...u32(2 ** 32 - 1), ...typeEvent], 'the msgpack value is truncated'],
      [[0xdd, ...u32(2 ** 31), 0xc0], 'the msgpack value is truncated'],
      [[0x82, ...typeEvent, 0xa4, ...Buffer.from('name'), 0xdb, ...u32(2 ** 31 - 1), 0x61], 'the msgpack value is truncated'],
      [[0x81, ...typeEvent.slice(0, 5), 0xdb, ...u32(2 ** 32 - 1)], 'the msgpack value is truncated'],
      [[...Array<number>(16).fill(0x91), 0x80], 'the frame nests deeper than 16 levels'],
      [[...Array.from({ length: 16 }, () => [0x81, 0xa1, 0x6b]).flat(), 0x90], 'the frame nests deeper than 16 levels'],
    ]
    for (const [bytes, reason] of cases) {
      s.sendRaw(Buffer.from(bytes))
      expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.malformed, retryable: false, message: `the frame is not accepted msgpack: ${reason}` })
    }
    s.send({ type: 'event', seq: 1, ts: Date.now(), call, name: 'join' })
    expect(await s.next('ack')).toMatchObject({ seq: 1 })
  })

  // The session id goes into the Nats-Msg-Id header, which ingest writes by hand
  // (ingest/jetstream-publisher.ts): only the hello schema's [A-Za-z0-9_-] may reach it.
  it('a hello whose sessionId holds CR, LF, a colon, a space, non-ASCII or a lone surrogate is refused (schema, close 4001)', async () => {
    const base = 'abcdefgh'
    const hostile = [`${base}\r\nNats-Msg-Id: x`, `${base}\n`, `${base}:1`, `${base} x`, `${base}\u00e9`, `${base}\u2028`, `${base}\ud800`, `${base}\u0000`]
    for (const protocol of ['callmask.v1.msgpack', 'callmask.v1.json']) {
      for (const sessionId of hostile) {
        const s = await rawSession(url, protocol)
        s.send(rawHello(testKey, sessionId))
        expect(await s.next('error'), `${protocol} ${JSON.stringify(sessionId)}`).toMatchObject({ code: wireErrorCodes.schema, retryable: false, message: 'invalid hello: /sessionId must match pattern "^[A-Za-z0-9_-]+$"' })
        expect((await s.closed).code).toBe(closeCodes.noHello)
      }
    }
  })
})
