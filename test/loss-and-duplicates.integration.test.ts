// Nothing is lost and nothing is doubled: a processor that dies after its insert but before
// its ack, and a nats-server killed mid-stream, with real parts throughout.
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterEach, describe, expect, it } from 'vitest'
import { wireErrorCodes } from '../lib/errors.ts'
import { framesStream } from '../lib/jetstream-streams.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { rtpRowCounts } from './support/stored-counts.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const frames = captureFrames(loadCapture('chromium-loopback-av.json')).filter((f) => f.peerId === 'caller')
const expectedRtpRows = frames.reduce((n, f) => n + f.reports.filter((r) => String(r['type']).endsWith('-rtp')).length, 0)

describe('loss and duplicates (integration)', () => {
  let world: TestWorld | undefined
  afterEach(async () => {
    await world?.close()
    world = undefined
  })

  it('a processor that dies between insert and ack: the next one adds no duplicate rows', async () => {
    world = await createTestWorld()
    let inserts = 0
    // Processor A stores its first batch, then "crashes": it never acks anything.
    const a = await world.start({ batchMaxRows: 40 }, {
      ackWaitS: 2,
      beforeAck: () => {
        inserts += 1
        return new Promise<void>(() => undefined)
      },
    })
    const client = new CallmaskClient({ url: a.ingest!.url, key: testKey })
    await client.connect()
    for (const frame of frames) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    await client.waitForAck()
    await eventually(() => inserts > 0, 10_000, 'processor A to insert a batch')
    await a.processor!.abandon()
    const afterCrash = await rtpRowCounts(world)
    expect(afterCrash.rows).toBeGreaterThan(0)
    expect(afterCrash.rows).toBeLessThan(expectedRtpRows)

    // Processor B takes over the durable consumer and gets A's unacked messages again.
    const b = await world.start({ role: 'processor', batchMaxRows: 40 }, { ackWaitS: 2 })
    await eventually(async () => (await rtpRowCounts(world!)).rows >= expectedRtpRows, 30_000, 'all rows')
    await b.processor!.close()
    expect(b.processor!.stats.redelivered).toBeGreaterThan(0)
    const final = await rtpRowCounts(world)
    expect(final).toMatchObject({ rows: expectedRtpRows, distinct: expectedRtpRows })
    client.close()
  })

  it('nats-server killed mid-stream: retryable errors instead of acks, then every frame once', async () => {
    world = await createTestWorld()
    // A short ack wait: acks the killed server forgot are redelivered quickly, found stored and acked.
    const pipeline = await world.start({}, { ackWaitS: 2 })
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey })
    await client.connect()
    const half = Math.floor(frames.length / 2)
    for (const frame of frames.slice(0, half)) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    await client.waitForAck()
    const ackedBeforeKill = client.lastAckedSeq
    expect(ackedBeforeKill).toBe(half)

    await world.nats.kill()
    for (const frame of frames.slice(half)) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    await eventually(() => client.errors.length > 0, 15_000, 'a retryable error')
    expect(client.errors[0]).toMatchObject({ code: wireErrorCodes.unavailable, retryable: true })
    expect(client.lastAckedSeq).toBe(ackedBeforeKill)
    const readyz = () => fetch(`http://127.0.0.1:${pipeline.ingest!.port}/readyz`).then((r) => r.status)
    expect(await readyz()).toBe(503)

    await world.nats.restart()
    await client.waitForAck(frames.length, 60_000)
    expect(await readyz()).toBe(200)
    // JetStream's Nats-Msg-Id de-duplication held across the crash: one stored message per frame.
    const nc = await connect(world.natsOptions('admin'))
    const info = await (await jetstreamManager(nc)).streams.info(framesStream)
    expect(info.state.last_seq).toBe(frames.length)
    await nc.close()
    await eventually(async () => (await rtpRowCounts(world!)).rows >= expectedRtpRows, 60_000, 'all rows after restart')
    // Work-queue retention: once stored in ClickHouse, no raw frame is left in JetStream, also
    // not the ones whose acks the killed server forgot (redelivered, found stored, acked).
    const nc2 = await connect(world.natsOptions('admin'))
    const jsm2 = await jetstreamManager(nc2)
    await eventually(async () => (await jsm2.streams.info(framesStream)).state.messages === 0, 20_000, 'the stream to be empty')
    await nc2.close()
    await pipeline.processor!.close()
    expect(await rtpRowCounts(world)).toMatchObject({ rows: expectedRtpRows, distinct: expectedRtpRows })
    client.close()
  })

  it('a consumer deleted by an operator is recreated and processing goes on', async () => {
    world = await createTestWorld()
    const pipeline = await world.start()
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey })
    await client.connect()
    const half = Math.floor(frames.length / 2)
    for (const frame of frames.slice(0, half)) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    await client.waitForAck()
    await eventually(async () => (await rtpRowCounts(world!)).rows > 0, 10_000, 'first rows')
    const nc = await connect(world.natsOptions('admin'))
    await (await jetstreamManager(nc)).consumers.delete(framesStream, 'processor')
    for (const frame of frames.slice(half)) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    await client.waitForAck()
    await eventually(async () => (await rtpRowCounts(world!)).rows >= expectedRtpRows, 30_000, 'all rows after the consumer was recreated')
    await pipeline.processor!.close()
    expect(await rtpRowCounts(world)).toMatchObject({ rows: expectedRtpRows, distinct: expectedRtpRows })
    expect(world.logs.some((line) => line.includes('the JetStream consumer is gone'))).toBe(true)
    await nc.close()
    client.close()
  })
})
