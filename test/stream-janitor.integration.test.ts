// Regression: on nats-server 2.9 a work-queue stream loses its interior deletes on an unclean
// stop: acked frames (raw personal data) come back after SIGKILL and stay until max_age.
// callmask now requires 2.10, and as defence in depth the processor's janitor purges every
// frame at or below the consumer's ack floor. The scenario of the bug report (300 published,
// 151 acked, SIGKILL, restart) runs against 2.10 and, where the machine has it, against
// Debian bookworm's 2.9, where it proves the janitor removes what the server brought back.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { execFileSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureStreams, framesStream, framesSubject, processorConsumer } from '../lib/jetstream-streams.ts'
import { isSupportedNatsServerVersion } from '../lib/nats-server-binary.ts'
import { findNatsServerBinary, startNatsServer } from '../lib/nats-server-launcher.ts'
import { startStreamJanitor } from '../processor/stream-janitor.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { captureLogs, createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const versionOf = (binary: string) => /v(\d+\.\d+\.\d+)/.exec(execFileSync(binary, ['--version'], { encoding: 'utf8' }))?.[1] ?? '?'
const bookwormServer = '/usr/sbin/nats-server'
const hasOldServer = existsSync(bookwormServer) && !isSupportedNatsServerVersion(versionOf(bookwormServer))
const servers = [{ binary: findNatsServerBinary(), old: false }, ...(hasOldServer ? [{ binary: bookwormServer, old: true }] : [])]

describe.each(servers)('publish 300, ack 151, SIGKILL: nats-server $binary (integration)', ({ binary, old }) => {
  it(`leaves 149 frames once the janitor ran (${old ? 'the server brings the acked ones back' : 'the server keeps its deletes'})`, async () => {
    const server = await startNatsServer({ binary, allowUnsupportedVersion: old })
    try {
      let nc = await connect({ servers: server.url })
      await ensureStreams(nc, { duplicateWindowS: 60, maxAgeH: 1 })
      let jsm = await jetstreamManager(nc)
      await jsm.consumers.add(framesStream, { durable_name: processorConsumer, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All })
      const js = jetstream(nc)
      for (let i = 0; i < 300; i++) await js.publish(framesSubject('acme'), new Uint8Array([i % 256]))
      const consumer = await js.consumers.get(framesStream, processorConsumer)
      const batch = await consumer.fetch({ max_messages: 151, expires: 5000 })
      let acked = 0
      for await (const msg of batch) {
        await msg.ackAck()
        if (++acked === 151) break
      }
      expect(acked).toBe(151)
      const ackedAt = Date.now()
      expect((await jsm.streams.info(framesStream)).state.messages).toBe(149)
      await nc.close()
      // The crash must come after the server wrote the consumer's ack floor to disk (it does
      // so within a fraction of a second), as it had in the bug report.
      const consumerState = join(server.storeDir, 'jetstream', '$G', 'streams', framesStream, 'obs', processorConsumer, 'o.dat')
      await eventually(() => existsSync(consumerState) && statSync(consumerState).mtimeMs > ackedAt, 10_000, 'the ack floor on disk')

      await server.kill() // SIGKILL: an unclean stop
      await server.restart()
      nc = await connect({ servers: server.url })
      jsm = await jetstreamManager(nc)
      const afterRestart = (await jsm.streams.info(framesStream)).state.messages
      expect((await jsm.consumers.info(framesStream, processorConsumer)).ack_floor.stream_seq).toBe(151)
      // 2.9 brings the 151 processed frames back; 2.10 does not.
      expect(afterRestart).toBe(old ? 300 : 149)

      const { log } = captureLogs()
      const janitor = startStreamJanitor(jsm, log, { intervalMs: 60_000 })
      expect(await janitor.sweep()).toBe(afterRestart - 149)
      janitor.stop()
      const state = (await jsm.streams.info(framesStream)).state
      expect(state.messages).toBe(149)
      expect(state.first_seq).toBe(152) // nothing at or below the ack floor is left
      await nc.close()
    } finally {
      await server.stop()
    }
  })
})

describe('processed frames after a SIGKILL of nats-server, through the pipeline (integration)', () => {
  let world: TestWorld
  beforeAll(async () => {
    world = await createTestWorld()
  })
  afterAll(async () => world?.close())

  it('the stream holds no processed frame after the restart', async () => {
    const pipeline = await world.start()
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey })
    await client.connect()
    for (let i = 0; i < 40; i++) await client.sendEvent({ conferenceId: 'room', participantId: 'p-1', peerConnectionId: 'pc-1' }, 'join', undefined, Date.now())
    await client.waitForAck()
    client.close()
    await eventually(() => pipeline.processor!.stats.messages === 40, 15_000, 'all 40 frames processed')
    // Acks are plain publishes: the processor flushed them with its batch; the server has them.
    const admin = await connect(world.natsOptions('admin'))
    const jsm = await jetstreamManager(admin)
    await eventually(async () => (await jsm.consumers.info(framesStream, processorConsumer)).ack_floor.stream_seq === 40, 10_000, 'ack floor at 40')
    await admin.close()

    await world.nats.kill()
    await world.nats.restart()
    const after = await connect(world.natsOptions('admin'))
    const jsmAfter = await jetstreamManager(after)
    await eventually(async () => (await jsmAfter.streams.info(framesStream)).state.messages === 0, 15_000, 'an empty stream after the restart')
    const info = await jsmAfter.streams.info(framesStream)
    expect(info.state.last_seq).toBe(40) // the frames were there, and all are gone
    await after.close()
    await pipeline.close()
  })
})
