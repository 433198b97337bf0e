// callmask on a three-node JetStream cluster (real nats-servers on loopback, the streams and
// buckets at R3): the stream's leader is killed with SIGKILL mid-stream and restarted, and
// every acked frame is stored exactly once while the client saw only retryable errors.
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../lib/config.ts'
import { deadLetterStream, ensureStreams, framesStream } from '../lib/jetstream-streams.ts'
import { startNatsServer } from '../lib/nats-server-launcher.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { streamLeader } from './support/nats-cluster.ts'
import { framesWaiting, rtpRowCounts } from './support/stored-counts.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const frames = captureFrames(loadCapture('chromium-loopback-av.json')).filter((f) => f.peerId === 'caller')
const expectedRtpRows = frames.reduce((n, f) => n + f.reports.filter((r) => String(r['type']).endsWith('-rtp')).length, 0)


describe('three-node NATS cluster (integration)', () => {
  let world: TestWorld | undefined
  afterEach(async () => {
    await world?.close()
    world = undefined
  })

  it('NATS_URL takes every node, comma-separated; an empty or spaced entry is refused', () => {
    expect(loadConfig({ NATS_URL: 'nats://n1:4222,tls://n2:4222,nats://n3:4222', CALLMASK_ROLE: 'processor' }).natsUrl).toBe('nats://n1:4222,tls://n2:4222,nats://n3:4222')
    for (const url of ['nats://n1:4222,,nats://n2:4222', 'nats://n1:4222, nats://n2:4222', 'nats://n1:4222,']) {
      expect(() => loadConfig({ NATS_URL: url, CALLMASK_ROLE: 'processor' }), url).toThrow(/NATS_URL is .*must match pattern/)
    }
  })

  it('more replicas than JetStream nodes: a sentence naming CALLMASK_STREAM_REPLICAS, nothing created', async () => {
    await using single = await startNatsServer()
    const nc = await connect({ servers: single.url })
    await expect(ensureStreams(nc, { duplicateWindowS: 900, maxAgeH: 168, replicas: 3 })).rejects.toThrow(
      /^JetStream cannot keep 3 copies of callmask's streams \(replicas > 1 not supported in non-clustered mode\)\. CALLMASK_STREAM_REPLICAS must not exceed/,
    )
    expect(await (await jetstreamManager(nc)).streams.names().next()).toEqual([])
    await nc.close()
  })

  it('the streams and buckets are replicated on all three nodes', async () => {
    world = await createTestWorld({ natsNodes: 3 })
    await world.start()
    const nc = await connect(world.natsOptions('admin'))
    const jsm = await jetstreamManager(nc)
    for (const stream of [framesStream, deadLetterStream, 'KV_callmask_keyring', 'KV_callmask_access_keys', 'KV_callmask_tenant_settings']) {
      const info = await jsm.streams.info(stream)
      expect(info.config.num_replicas, stream).toBe(3)
      expect(1 + (info.cluster?.replicas?.length ?? 0), stream).toBe(3)
    }
    await nc.close()
  })

  it('the stream leader killed mid-stream and restarted: every frame acked and stored once, only retryable errors', async () => {
    world = await createTestWorld({ natsNodes: 3 })
    const cluster = world.natsCluster!
    const pipeline = await world.start({}, { ackWaitS: 2 })
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey })
    await client.connect()
    const third = Math.floor(frames.length / 3)
    for (const frame of frames.slice(0, third)) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    await client.waitForAck()
    await eventually(async () => (await rtpRowCounts(world!)).rows > 0, 30_000, 'first rows stored')

    const leader = await streamLeader(world.natsOptions('admin'), framesStream)
    // The rest goes on while the leader dies: some publishes are in flight at the kill.
    const sending = (async () => {
      for (const frame of frames.slice(third)) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    })()
    await cluster.node(leader).kill()
    await sending
    await client.waitForAck(frames.length, 90_000)
    // A new leader took over on the two nodes left.
    const newLeader = await streamLeader(world.natsOptions('admin'), framesStream)
    expect(newLeader).not.toBe(leader)
    await cluster.node(leader).restart()

    await eventually(async () => (await rtpRowCounts(world!)).frames >= frames.length, 90_000, 'every frame stored')
    const nc = await connect(world.natsOptions('admin'))
    const jsm = await jetstreamManager(nc)
    await eventually(async () => (await jsm.streams.info(framesStream)).state.messages === 0, 60_000, 'the stream to be empty')
    // JetStream's de-duplication held across the leader change: one stored message per frame.
    expect((await jsm.streams.info(framesStream)).state.last_seq).toBe(frames.length)
    await nc.close()
    await pipeline.processor!.close()
    expect(await rtpRowCounts(world)).toEqual({ rows: expectedRtpRows, distinct: expectedRtpRows, frames: frames.length })
    expect(client.errors.every((e) => e.retryable)).toBe(true)
    client.close()
  })
})
