// Every documented wire error, produced by sending the bad frame over a real socket to the
// real uWS ingest, while a well-behaved session on the same server keeps getting acks.
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { Packr } from 'msgpackr'
import { readFileSync } from 'node:fs'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeCodes, wireErrorCodes } from '../lib/errors.ts'
import { ensureStreams, framesStream } from '../lib/jetstream-streams.ts'
import type { Pipeline } from '../app/pipeline.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { rawSession } from './support/raw-session.ts'
import { createTestWorld, testKey, type TestWorld } from './support/test-pipeline.ts'

const packr = new Packr({ useRecords: false })
const call = { conferenceId: 'room-1', participantId: 'u-1', peerConnectionId: 'pc-1' }
const hello = (key = testKey) => ({ type: 'hello', v: 1, key, sessionId: `s-${Math.random().toString(36).slice(2, 12)}`, sdk: { name: 't', version: '1' } })

describe('bad input gets a typed error, never a crash (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let url: string
  let goodClient: CallmaskClient
  let goodSeq = 0

  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({ role: 'ingest', maxFrameBytes: 4096, helloTimeoutMs: 300 })
    url = pipeline.ingest!.url
    goodClient = new CallmaskClient({ url, key: testKey })
    await goodClient.connect()
  })
  afterAll(async () => {
    goodClient?.close()
    await world?.close()
  })

  async function goodSessionStillServed() {
    goodSeq = await goodClient.sendStats(call, [], Date.now())
    await goodClient.waitForAck(goodSeq, 10_000)
  }

  it('no hello within the timeout: CALLMASK_ERR_NO_HELLO and close 4001', async () => {
    const s = await rawSession(url)
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.noHello, retryable: false })
    expect((await s.closed).code).toBe(closeCodes.noHello)
    await goodSessionStillServed()
  })

  it('a data frame before hello: CALLMASK_ERR_NO_HELLO and close 4001', async () => {
    const s = await rawSession(url)
    s.send({ type: 'stats', seq: 1, ts: 1, call, reports: [] })
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.noHello })
    expect((await s.closed).code).toBe(closeCodes.noHello)
  })

  it('an unknown key: CALLMASK_ERR_BAD_KEY and close 4003', async () => {
    const s = await rawSession(url)
    s.send(hello('not-a-valid-key-000'))
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.badKey, retryable: false })
    expect((await s.closed).code).toBe(closeCodes.badKey)
    await goodSessionStillServed()
  })

  it('bytes that are not msgpack, text that is not JSON: CALLMASK_ERR_MALFORMED, session stays open', async () => {
    const s = await rawSession(url)
    s.send(hello())
    await s.next('ack')
    s.sendRaw(Buffer.from([0xc1, 0xff, 0x00]))
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.malformed, retryable: false })
    s.send({ type: 'stats', seq: 1, ts: Date.now(), call, reports: [] })
    expect(await s.next('ack')).toMatchObject({ seq: 1 })

    const j = await rawSession(url, 'callmask.v1.json')
    j.send(hello())
    await j.next('ack')
    j.sendRaw('{"type":"stats", "seq": ')
    expect(await j.next('error')).toMatchObject({ code: wireErrorCodes.malformed })
    await goodSessionStillServed()
  })

  it('a schema violation names the field', async () => {
    const s = await rawSession(url)
    s.send(hello())
    await s.next('ack')
    s.send({ type: 'stats', seq: 1, ts: Date.now(), call: { conferenceId: 'r', peerConnectionId: 'p' }, reports: [] })
    const error = await s.next('error')
    expect(error).toMatchObject({ code: wireErrorCodes.schema, retryable: false, seq: 1 })
    expect(String(error['message'])).toContain('/call/participantId')
    // msgpack: ingest checks the envelope only; the processor dead-letters a bad report
    // (dead-letter.integration.test.ts). JSON frames are parsed whole and checked in full.
    s.send({ type: 'stats', seq: 2, ts: Date.now(), call, reports: [{ id: 'x', type: 42, timestamp: 1 }] })
    await expect.poll(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 2)).toBe(true)
    s.send({ type: 'stats', seq: 3, ts: Date.now(), call, reports: 'not a list' })
    expect(String((await s.next('error'))['message'])).toContain('/reports')
    const j = await rawSession(url, 'callmask.v1.json')
    j.send(hello())
    await j.next('ack')
    j.send({ type: 'stats', seq: 1, ts: Date.now(), call, reports: [{ id: 'x', type: 42, timestamp: 1 }] })
    expect(String((await j.next('error'))['message'])).toContain('/reports/0/type')
    await goodSessionStillServed()
  })

  it('a frame refused for good is settled: the next frame is still acknowledged', async () => {
    const s = await rawSession(url)
    s.send(hello())
    await s.next('ack')
    s.send({ type: 'stats', seq: 1, ts: Date.now(), call: { ...call, displayName: 'x'.repeat(300) }, reports: [] })
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.schema, seq: 1 })
    s.send({ type: 'stats', seq: 2, ts: Date.now(), call, reports: [] })
    await expect.poll(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 2)).toBe(true)
  })

  it('a frame time far from the server clock, or a seq far ahead, is refused naming the field', async () => {
    const s = await rawSession(url)
    s.send(hello())
    await s.next('ack')
    s.send({ type: 'stats', seq: 1, ts: Date.now() + 3 * 24 * 3600 * 1000, call, reports: [] })
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.schema, seq: 1, message: expect.stringContaining('/ts') })
    s.send({ type: 'stats', seq: 2, ts: 0, call, reports: [] })
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.schema, seq: 2, message: expect.stringContaining('/ts') })
    s.send({ type: 'stats', seq: 10_000_000, ts: Date.now(), call, reports: [] })
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.schema, message: expect.stringContaining('/seq') })
    await goodSessionStillServed()
  })

  it('a frame over the size limit: CALLMASK_ERR_TOO_LARGE', async () => {
    const s = await rawSession(url)
    s.send(hello())
    await s.next('ack')
    s.send({ type: 'stats', seq: 1, ts: Date.now(), call: { ...call, displayName: 'x'.repeat(200) }, reports: Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, type: 'codec', timestamp: 1, mimeType: 'a'.repeat(100) })) })
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.tooLarge, retryable: false })
    await goodSessionStillServed()
  })

  it('an unsupported subprotocol is refused with HTTP 400', async () => {
    const socket = new WebSocket(url, 'chat')
    const status = await new Promise<number>((resolve) => socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
    expect(status).toBe(400)
  })

  it('JetStream unavailable: CALLMASK_ERR_UNAVAILABLE, retryable, with the seq; then it recovers', async () => {
    const nc = await connect(world.natsOptions('admin'))
    const jsm = await jetstreamManager(nc)
    await jsm.streams.delete(framesStream)
    const s = await rawSession(url)
    s.send(hello())
    await s.next('ack')
    s.send({ type: 'stats', seq: 1, ts: Date.now(), call, reports: [] })
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.unavailable, retryable: true, seq: 1 })
    expect(s.frames.filter((f) => f['type'] === 'ack')).toEqual([])
    // A processor (here: admin) creates the stream again; the resent frame is stored.
    await ensureStreams(nc, { duplicateWindowS: 900, maxAgeH: 168 })
    s.send({ type: 'stats', seq: 1, ts: Date.now(), call, reports: [] })
    await expect.poll(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 1)).toBe(true)
    await nc.close()
  })

  it('rate limits: CALLMASK_ERR_RATE_LIMITED per session, CALLMASK_ERR_TOO_MANY_SESSIONS and close 4029 per tenant', async () => {
    const limited = await world.start({ role: 'ingest', framesPerSecondPerSession: 1, maxSessionsPerTenant: 2 })
    const limitedUrl = limited.ingest!.url
    const s = await rawSession(limitedUrl)
    s.send(hello())
    await s.next('ack')
    // 30 s worth of frames may come at once; the 31st is over the limit.
    for (let seq = 1; seq <= 31; seq++) s.send({ type: 'stats', seq, ts: Date.now(), call, reports: [] })
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.rateLimited, retryable: true, seq: 31 })
    await expect.poll(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 30)).toBe(true)
    const second = await rawSession(limitedUrl)
    second.send(hello())
    await second.next('ack')
    const third = await rawSession(limitedUrl)
    third.send(hello())
    expect(await third.next('error')).toMatchObject({ code: wireErrorCodes.tooManySessions, retryable: true })
    expect((await third.closed).code).toBe(closeCodes.tooManySessions)
    await limited.ingest!.close()
    await goodSessionStillServed()
  })

  it('shutting down: CALLMASK_ERR_SHUTTING_DOWN (retryable) then close 1001', async () => {
    const s = await rawSession(url)
    s.send(hello())
    await s.next('ack')
    await pipeline.ingest!.close()
    expect(await s.next('error')).toMatchObject({ code: wireErrorCodes.shuttingDown, retryable: true })
    expect((await s.closed).code).toBe(closeCodes.shuttingDown)
  })

  it('README documents every wire error code and close code', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    for (const code of Object.values(wireErrorCodes)) expect(readme).toContain(code)
    for (const code of Object.values(closeCodes)) expect(readme).toContain(String(code))
  })
})
