// Two ingest processes and two processors on a three-node JetStream cluster, as a scaled-out
// deployment runs them: clients know both ingest URLs. One ingest is killed with SIGKILL and
// its clients move to the other and resume; one processor dies after its insert and before
// its ack, and the other takes its messages over. Every frame is stored exactly once.
import { afterEach, describe, expect, it } from 'vitest'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { startIngestProcess, type IngestProcess } from './support/ingest-process.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const frames = captureFrames(loadCapture('chromium-loopback-av.json')).filter((f) => f.peerId === 'caller')
const rtpRowsPerSession = frames.reduce((n, f) => n + f.reports.filter((r) => String(r['type']).endsWith('-rtp')).length, 0)
const sessions = 4

async function rowCounts(world: TestWorld) {
  const [row] = await world.query<{ rows: string; distinct_rows: string; frames: string }>(
    'SELECT count() AS rows, uniqExact(session_id, seq, report_id) AS distinct_rows, uniqExact(session_id, seq) AS frames FROM {db}.rtp_samples',
  )
  return { rows: Number(row?.rows), distinct: Number(row?.distinct_rows), frames: Number(row?.frames) }
}

describe('two ingest and two processor processes on a NATS cluster (integration)', () => {
  let world: TestWorld | undefined
  const ingests: IngestProcess[] = []
  afterEach(async () => {
    for (const ingest of ingests.splice(0)) await ingest.stop()
    await world?.close()
    world = undefined
  })

  it('kill -9 of one ingest and one processor mid-stream: clients resume on the other ingest, every frame stored once', async () => {
    world = await createTestWorld({ natsNodes: 3 })
    let firstInserts = 0
    // Processor A stores what it gets, then "crashes" before acking anything.
    const a = await world.start({ role: 'processor', batchMaxRows: 40 }, {
      ackWaitS: 2,
      beforeAck: () => {
        firstInserts += 1
        return new Promise<void>(() => undefined)
      },
    })
    ingests.push(await startIngestProcess(world), await startIngestProcess(world))
    const [one, two] = ingests as [IngestProcess, IngestProcess]
    // Half the clients start on each ingest; each knows both.
    const clients = Array.from({ length: sessions }, (_, i) => new CallmaskClient({ url: i % 2 === 0 ? [one.url, two.url] : [two.url, one.url], key: testKey }))
    await Promise.all(clients.map((c) => c.connect()))
    const third = Math.floor(frames.length / 3)
    const send = (slice: typeof frames) => Promise.all(clients.map(async (c) => {
      for (const frame of slice) await c.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    }))
    await send(frames.slice(0, third))
    await Promise.all(clients.map((c) => c.waitForAck()))
    await eventually(() => firstInserts > 0, 30_000, 'processor A to insert a batch')
    const b = await world.start({ role: 'processor', batchMaxRows: 40 }, { ackWaitS: 2 })

    // The rest goes on while ingest one dies and processor A crashes.
    const sending = send(frames.slice(third))
    await one.kill()
    await a.processor!.abandon()
    await sending
    await Promise.all(clients.map((c) => c.waitForAck(frames.length, 90_000)))
    for (const client of clients) expect(client.currentUrl).toBe(two.url)

    const expected = { rows: sessions * rtpRowsPerSession, distinct: sessions * rtpRowsPerSession, frames: sessions * frames.length }
    await eventually(async () => (await rowCounts(world!)).frames >= expected.frames, 90_000, 'every frame stored')
    await b.processor!.close()
    expect(b.processor!.stats.redelivered).toBeGreaterThan(0)
    expect(await rowCounts(world)).toEqual(expected)
    for (const client of clients) {
      expect(client.errors.every((e) => e.retryable)).toBe(true)
      client.close()
    }
  })
})
