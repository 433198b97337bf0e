// A message that can never be processed goes to the dead-letter stream with its reason,
// is acknowledged only then, and does not hold up the messages behind it.
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { headers } from '@nats-io/nats-core'
import { connect } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawHello, rawSession } from './support/raw-session.ts'
import { envelopeHeaderValues, legacyEnvelopeHeaders } from '../lib/frame-envelope.ts'
import { deadLetterStream, framesStream, framesSubject } from '../lib/jetstream-streams.ts'
import { deadLetterReasonHeader } from '../processor/dead-letter.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { createTestWorld, eventually, testKey, testTenant, type TestWorld } from './support/test-pipeline.ts'

describe('dead-letter stream (integration)', () => {
  let world: TestWorld
  beforeAll(async () => {
    world = await createTestWorld()
  })
  afterAll(async () => world?.close())

  it('dead-letters undecodable and out-of-time messages with their reasons; good frames still land', async () => {
    const pipeline = await world.start()
    const nc = await connect(world.natsOptions('admin'))
    const js = jetstream(nc)
    // The current two headers, and the six of earlier versions (still read after an upgrade).
    const envelope = (seq: number, encoding: 'json' | 'msgpack' = 'json') => {
      const h = headers()
      for (const [name, value] of Object.entries(envelopeHeaderValues({ tenant: testTenant, sessionId: 'foreign-publisher', seq, encoding, receivedAt: Date.now() }))) h.set(name, value)
      return h
    }
    const legacyEnvelope = (seq: number, encoding = 'json') => {
      const h = headers()
      h.set(legacyEnvelopeHeaders.tenant, testTenant)
      h.set(legacyEnvelopeHeaders.session, 'foreign-publisher')
      h.set(legacyEnvelopeHeaders.seq, String(seq))
      h.set(legacyEnvelopeHeaders.encoding, encoding)
      h.set(legacyEnvelopeHeaders.receivedAt, String(Date.now()))
      return h
    }
    // What another publisher with access to the subject might put there.
    await js.publish(framesSubject(testTenant), new TextEncoder().encode('{not json'), { headers: envelope(1) })
    const stale = { type: 'event', seq: 2, ts: Date.now() - 30 * 24 * 3600 * 1000, call: { conferenceId: 'c', participantId: 'p', peerConnectionId: 'pc' }, name: 'join' }
    await js.publish(framesSubject(testTenant), new TextEncoder().encode(JSON.stringify(stale)), { headers: legacyEnvelope(2) })
    await js.publish(framesSubject(testTenant), new TextEncoder().encode('{}'))

    // Through ingest: a msgpack frame whose envelope is right is acknowledged; its bad report
    // is refused by the processor's full validation and dead-lettered, counted per tenant.
    const raw = await rawSession(pipeline.ingest!.url)
    raw.send(rawHello(testKey))
    await raw.next('ack')
    raw.send({ type: 'stats', seq: 1, ts: Date.now(), call: { conferenceId: 'c', participantId: 'p', peerConnectionId: 'pc' }, reports: [{ id: 'x', type: 42, timestamp: 1 }] })
    await expect.poll(() => raw.frames.some((f) => f['type'] === 'ack' && f['seq'] === 1)).toBe(true)

    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey })
    await client.connect()
    await client.sendEvent({ conferenceId: 'c', participantId: 'p', peerConnectionId: 'pc' }, 'join')
    await client.waitForAck()

    const jsm = await jetstreamManager(nc)
    await eventually(async () => (await jsm.streams.info(deadLetterStream)).state.messages === 4, 15_000, 'four dead letters')
    const reasons: string[] = []
    for (let seq = 1; seq <= 4; seq++) reasons.push((await jsm.streams.getMessage(deadLetterStream, { seq }))?.header.get(deadLetterReasonHeader) ?? '')
    expect(reasons).toEqual([
      'payload cannot be decoded',
      '/ts is more than 7 days before the server clock',
      'message lacks the Callmask envelope headers',
      'payload violates the schema: /reports/0/type must be string',
    ])
    const metrics = await (await fetch(`http://127.0.0.1:${pipeline.ingest!.port}/metrics`)).text()
    expect(metrics).toContain(`callmask_processor_dead_lettered_total{tenant="${testTenant}",reason="schema"} 1`)
    expect(metrics).toContain(`callmask_processor_dead_lettered_total{tenant="${testTenant}",reason="undecodable"} 1`)
    expect(metrics).toContain(`callmask_processor_dead_lettered_total{tenant="unknown",reason="envelope"} 1`)
    await eventually(async () => {
      const [row] = await world.query<{ n: string }>('SELECT count() AS n FROM {db}.call_events')
      return Number(row?.n) === 1
    }, 15_000, 'the good frame stored')
    await eventually(async () => (await jsm.streams.info(framesStream)).state.messages === 0, 15_000, 'an empty frames stream')
    expect(pipeline.processor!.stats.deadLettered).toBe(4)
    client.close()
    await nc.close()
  })
})
