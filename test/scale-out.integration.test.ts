// Two ingest processes and two processor processes on a three-node JetStream cluster and a
// ClickHouse process, as a scaled-out deployment runs them: clients know both ingest URLs.
// One ingest and one processor are killed with SIGKILL mid-stream: the ingest's clients move
// to the other and resume, the other processor gets the dead one's unacked messages after the
// ack wait. Every frame is stored exactly once.
import { afterEach, describe, expect, it } from 'vitest'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { startServiceProcess, type ServiceProcess } from './support/service-process.ts'
import { framesWaiting, rtpRowCounts } from './support/stored-counts.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const frames = captureFrames(loadCapture('chromium-loopback-av.json')).filter((f) => f.peerId === 'caller')
const rtpRowsPerSession = frames.reduce((n, f) => n + f.reports.filter((r) => String(r['type']).endsWith('-rtp')).length, 0)
const sessions = 4


const send = (clients: CallmaskClient[], slice: typeof frames) =>
  Promise.all(
    clients.map(async (c) => {
      for (const frame of slice) await c.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    }),
  )


describe('two ingest and two processor processes on a NATS cluster (integration)', () => {
  let world: TestWorld | undefined
  const services: ServiceProcess[] = []
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop()
    await world?.close()
    world = undefined
  })

  it('kill -9 of one ingest and one processor process mid-stream: clients resume on the other ingest, every frame stored once', async () => {
    world = await createTestWorld({ natsNodes: 3, clickhouseProcess: true })
    const ackWait = { CALLMASK_ACK_WAIT_S: '5' }
    services.push(await startServiceProcess(world, 'processor', ackWait), await startServiceProcess(world, 'processor', ackWait))
    services.push(await startServiceProcess(world, 'ingest'), await startServiceProcess(world, 'ingest'))
    const [processorA, , one, two] = services as [ServiceProcess, ServiceProcess, ServiceProcess, ServiceProcess]
    const clients = Array.from({ length: sessions }, (_, i) => new CallmaskClient({ url: i % 2 === 0 ? [one.url, two.url] : [two.url, one.url], key: testKey }))
    await Promise.all(clients.map((c) => c.connect()))
    const third = Math.floor(frames.length / 3)
    await send(clients, frames.slice(0, third))
    await Promise.all(clients.map((c) => c.waitForAck()))
    await eventually(async () => (await rtpRowCounts(world!)).frames > 0, 60_000, 'first rows stored')

    // The rest goes on while ingest one and processor A die.
    const sending = send(clients, frames.slice(third))
    await one.kill()
    await processorA.kill()
    await sending
    await Promise.all(clients.map((c) => c.waitForAck(frames.length, 90_000)))
    for (const client of clients) expect(client.currentUrl).toBe(two.url)

    const expected = { rows: sessions * rtpRowsPerSession, distinct: sessions * rtpRowsPerSession, frames: sessions * frames.length }
    await eventually(async () => (await rtpRowCounts(world!)).frames >= expected.frames, 90_000, 'every frame stored')
    await eventually(async () => (await framesWaiting(world!)) === 0, 60_000, 'the stream to be empty')
    expect(await rtpRowCounts(world)).toEqual(expected)
    for (const client of clients) {
      expect(client.errors.every((e) => e.retryable)).toBe(true)
      client.close()
    }
  })
})
