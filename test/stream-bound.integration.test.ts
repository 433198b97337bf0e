// A bounded backlog (CALLMASK_STREAM_MAX_MB): while the processors are behind and the CALLMASK
// stream is at its bound, ingest refuses frames with a retryable backpressure error instead
// of an ack, so the client keeps them; once a processor drains the backlog, the resent frames
// are stored, every one exactly once. Real nats-server, uWS ingest, chdb.
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterAll, describe, expect, it } from 'vitest'
import { buildSessionFrames } from '../bench/bench-frames.ts'
import { ensureStreams, framesStream } from '../lib/jetstream-streams.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'
import { rawHello, rawSession } from './support/raw-session.ts'

let world: TestWorld
afterAll(async () => world?.close())

describe('a bounded backlog (integration)', () => {
  it('refuses frames with a retryable backpressure error while the stream is full; resent after the processor drains it, each is stored once', async () => {
    world = await createTestWorld()
    const admin = await connect(world.natsOptions('admin'))
    await ensureStreams(admin, { duplicateWindowS: 900, maxAgeH: 168, maxMegabytes: 1 })
    const jsm = await jetstreamManager(admin)
    expect((await jsm.streams.info(framesStream)).config).toMatchObject({ max_bytes: 1024 * 1024, discard: 'new' })

    // Ingest only: nothing drains the stream yet.
    const ingest = await world.start({ role: 'ingest', streamMaxMb: 1, framesPerSecondPerSession: 100_000, framesPerSecondPerTenant: 100_000 })
    const s = await rawSession(ingest.ingest!.url)
    s.send(rawHello(testKey, 'bounded-1'))
    await s.next('ack')
    const frames = buildSessionFrames(0)
    const total = 300 // ~7 KB each: about twice the 1 MB bound
    for (let seq = 1; seq <= total; seq++) s.sendRaw(Buffer.from(frames.frame(seq, Date.now())))
    const settled = () => {
      const acked = Math.max(0, ...s.frames.filter((f) => f['type'] === 'ack').map((f) => Number(f['seq'])))
      const refused = new Set(s.frames.filter((f) => f['type'] === 'error').map((f) => Number(f['seq'])))
      return { acked, refused }
    }
    await eventually(() => { const { acked, refused } = settled(); return acked + refused.size >= total }, 30_000, 'every frame acked or refused')
    const errors = s.frames.filter((f) => f['type'] === 'error')
    // The stream filled up: some frames were stored, the rest refused, each refusal retryable backpressure.
    const { acked } = settled()
    expect(acked).toBeGreaterThan(50)
    expect(acked).toBeLessThan(total)
    expect(errors.length).toBeGreaterThan(0)
    for (const error of errors) expect(error).toMatchObject({ code: 'CALLMASK_ERR_BACKPRESSURE', retryable: true, message: 'the backlog waiting for the processors is full; resend after a short delay' })
    expect((await jsm.streams.info(framesStream)).state.bytes).toBeLessThanOrEqual(1024 * 1024)
    expect(world.logs.filter((line) => line.includes('at its size bound')).length).toBe(1)

    // A processor drains the backlog; the client resends what was refused, as an SDK does: in
    // chunks, and after a refusal once the backlog has drained (frames the stream took meanwhile
    // are acknowledged again as duplicates, never stored twice).
    const processor = await world.start({ role: 'processor', streamMaxMb: 1 })
    const drained = () => eventually(async () => (await jsm.streams.info(framesStream)).state.messages === 0, 60_000, 'the backlog drained')
    await drained()
    const errorCount = () => s.frames.filter((f) => f['type'] === 'error').length
    for (let round = 1; settled().acked < total; round++) {
      if (round > 100) throw new Error(`no progress: acked up to ${settled().acked} of ${total}`)
      const from = settled().acked + 1
      const to = Math.min(total, from + 49)
      const errorsBefore = errorCount()
      for (let seq = from; seq <= to; seq++) s.sendRaw(Buffer.from(frames.frame(seq, Date.now())))
      await eventually(() => settled().acked >= to || errorCount() > errorsBefore, 30_000, 'the chunk acked or refused')
      if (settled().acked < to) await drained()
    }
    const expectedRows = Array.from({ length: total }, (_, i) => frames.rowsPerTemplate[frames.templateOf(i + 1)]!).reduce((a, b) => a + b, 0)
    await eventually(() => processor.processor!.stats.inserted >= expectedRows, 60_000, 'every row stored')
    const [counts] = await world.query<{ frames: string; distinct: string }>('SELECT count() AS frames, uniqExact(seq) AS distinct FROM {db}.connection_samples')
    expect(Number(counts!.frames)).toBe(total)
    expect(Number(counts!.distinct)).toBe(total)
    await admin.close()
  })
})
