// Ingest's JetStream publisher against a real nats-server: PubAcks resolve, duplicates are
// marked, a publish nobody answers times out (one sweeping timer, not a timer each) as a
// retryable error, and closing rejects what is still pending; the header block it writes
// itself reads back as headers, for the longest ids of every character they may hold too.
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createJetStreamPublisher, PublishError } from '../ingest/jetstream-publisher.ts'
import { envelopeHeaderValues, readEnvelope } from '../lib/frame-envelope.ts'
import { ensureStreams, framesSubject } from '../lib/jetstream-streams.ts'
import { startNatsServer, type NatsServerHandle } from '../lib/nats-server-launcher.ts'

let server: NatsServerHandle
let nc: NatsConnection

beforeAll(async () => {
  server = await startNatsServer()
  nc = await connect({ servers: server.url })
  await ensureStreams(nc, { duplicateWindowS: 60, maxAgeH: 1 })
})

afterAll(async () => {
  await nc?.close()
  await server?.stop()
})

describe('JetStream publisher', () => {
  it('resolves with the PubAck, and marks a second message with the same id a duplicate', async () => {
    const publisher = createJetStreamPublisher(nc, { timeoutMs: 5000 })
    const acks = await Promise.all(Array.from({ length: 50 }, (_, i) => publisher.publish(framesSubject('t1'), Uint8Array.of(i), { 'Nats-Msg-Id': `t1:s:${i}` })))
    expect(new Set(acks.map((a) => a.seq)).size).toBe(50)
    expect(acks.every((a) => !a.duplicate)).toBe(true)
    await expect(publisher.publish(framesSubject('t1'), Uint8Array.of(7), { 'Nats-Msg-Id': 't1:s:7' })).resolves.toMatchObject({ duplicate: true })
    expect(publisher.inFlight).toBe(0)
    publisher.close()
  })

  it('writes the headers a consumer reads back, and refuses a value with a line break (no retry)', async () => {
    const sub = nc.subscribe('headers.check')
    const received = (async () => { for await (const m of sub) return m })()
    const publisher = createJetStreamPublisher(nc, { timeoutMs: 200 })
    void publisher.publish('headers.check', Uint8Array.of(1, 2), { 'Nats-Msg-Id': 't3:s:1', 'Callmask-Frame': 'msgpack 1700000000000' }).catch(() => undefined)
    const msg = (await received)!
    expect(msg.headers?.get('Nats-Msg-Id')).toBe('t3:s:1')
    expect(msg.headers?.get('Callmask-Frame')).toBe('msgpack 1700000000000')
    expect([...msg.data]).toEqual([1, 2])
    await expect(publisher.publish(framesSubject('t3'), Uint8Array.of(1), { 'Nats-Msg-Id': 't3:s:2\r\nX: y' })).rejects.toMatchObject({ retryable: false })
    sub.unsubscribe()
    publisher.close()
  })

  // What may reach the block: tenant ids match ^[a-z0-9][a-z0-9_-]{0,62}$ (config, api), session
  // ids ^[A-Za-z0-9_-]{8,64}$ (the hello schema), a safe integer seq. At their longest and with
  // every character they may hold, the envelope reads back whole and JetStream dedupes on it.
  it('the envelope of the longest ids with every allowed character reads back, and dedupes', async () => {
    const sessionChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'
    const tenant = `0${'abcdefghijklmnopqrstuvwxyz0123456789_-'.repeat(2)}`.slice(0, 63)
    const sessionId = sessionChars.slice(0, 64)
    const envelope = { tenant, sessionId, seq: Number.MAX_SAFE_INTEGER, encoding: 'json' as const, receivedAt: 1_700_000_000_000 }
    const sub = nc.subscribe(framesSubject(tenant))
    const received = (async () => { for await (const m of sub) return m })()
    const publisher = createJetStreamPublisher(nc, { timeoutMs: 5000 })
    await expect(publisher.publish(framesSubject(tenant), Uint8Array.of(1), envelopeHeaderValues(envelope))).resolves.toMatchObject({ duplicate: false })
    expect(readEnvelope((await received)!.headers)).toEqual(envelope)
    await expect(publisher.publish(framesSubject(tenant), Uint8Array.of(2), envelopeHeaderValues({ ...envelope, receivedAt: 1 }))).resolves.toMatchObject({ duplicate: true })
    await expect(publisher.publish(framesSubject(tenant), Uint8Array.of(3), envelopeHeaderValues({ ...envelope, sessionId: `${sessionId.slice(0, 63)}_` }))).resolves.toMatchObject({ duplicate: false })
    sub.unsubscribe()
    publisher.close()
  })

  it('a publish nobody answers is rejected as retryable after the timeout, and the others still settle', async () => {
    const silent = nc.subscribe('silent.>') // receives, never replies
    const publisher = createJetStreamPublisher(nc, { timeoutMs: 200 })
    const started = performance.now()
    const unanswered = Array.from({ length: 5 }, () => publisher.publish('silent.x', Uint8Array.of(1), { 'Nats-Msg-Id': 'x' }).catch((e: unknown) => e))
    const answered = publisher.publish(framesSubject('t2'), Uint8Array.of(1), { 'Nats-Msg-Id': 't2:s:1' })
    await expect(answered).resolves.toMatchObject({ duplicate: false })
    const errors = await Promise.all(unanswered)
    for (const error of errors) {
      expect(error).toBeInstanceOf(PublishError)
      expect(error).toMatchObject({ retryable: true, message: 'no PubAck within 200 ms' })
    }
    // Not before its deadline (a late timeout is allowed, an early one is not).
    expect(performance.now() - started).toBeGreaterThanOrEqual(200)
    expect(publisher.inFlight).toBe(0)
    silent.unsubscribe()
    publisher.close()
  })

  it('close rejects what is still pending', async () => {
    const silent = nc.subscribe('silent2.>')
    const publisher = createJetStreamPublisher(nc, { timeoutMs: 60_000 })
    const pending = publisher.publish('silent2.x', Uint8Array.of(1), { 'Nats-Msg-Id': 'y' })
    await new Promise((resolve) => setImmediate(resolve)) // handed to NATS
    publisher.close()
    await expect(pending).rejects.toMatchObject({ retryable: true, message: 'publisher closed' })
    silent.unsubscribe()
  })
})
