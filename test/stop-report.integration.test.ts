// Regression: a graceful stop printed "nothing in flight was lost" while frames a crashed
// processor had taken were still waiting for their ack wait to pass. The stop now says what
// JetStream still holds, and which of it a processor took without acknowledging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopSentence } from '../app/stop-sentence.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const frames = captureFrames(loadCapture('chromium-loopback-av.json')).filter((f) => f.peerId === 'caller')

describe('what a stop reports (integration)', () => {
  let world: TestWorld
  beforeAll(async () => {
    world = await createTestWorld()
  })
  afterAll(async () => world?.close())

  it('a clean stop: nothing waits', async () => {
    const pipeline = await world.start()
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey })
    await client.connect()
    for (const frame of frames.slice(0, 5)) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    await client.waitForAck()
    client.close()
    await eventually(() => pipeline.processor!.stats.messages === 5, 15_000, 'five frames stored')
    const report = await pipeline.close()
    expect(report).toEqual({ backlog: { waiting: 0, unacked: 0, ackWaitS: 30 }, deadLettered: 0 })
    expect(stopSentence(report, 5)).toBe(
      [
        'callmask stopped. Every frame acknowledged to a client is stored in JetStream.',
        '  Written to ClickHouse by this process: 5 frames.',
        '  Nothing is waiting in JetStream for a processor.',
      ].join('\n'),
    )
  })

  it('after a processor died holding frames: says how many wait and when they come back', async () => {
    let held = false
    // This processor takes frames, inserts them and never acks: what a crash leaves.
    const crashed = await world.start({ batchMaxRows: 1000 }, { ackWaitS: 3, beforeAck: () => ((held = true), new Promise<void>(() => undefined)) })
    const client = new CallmaskClient({ url: crashed.ingest!.url, key: testKey })
    await client.connect()
    for (const frame of frames.slice(5, 15)) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    await client.waitForAck()
    client.close()
    await eventually(() => held, 15_000, 'the batch held')
    await crashed.processor!.abandon()
    const report = await crashed.close()
    expect(report.backlog?.unacked).toBe(10)
    expect(report.backlog?.waiting).toBe(0)
    const sentence = stopSentence(report, 0)
    expect(sentence).toContain('Still in JetStream, written at the next start: 10 frames.')
    expect(sentence).toContain('10 of them were taken by a processor that has not acknowledged them (one that crashed?); JetStream gives them to a processor again 3 s after it took them.')

    // And they do come back after the ack wait: the next processor takes and acks them
    // (the crashed one had inserted them already; redelivery adds no duplicate rows).
    const next = await world.start({ role: 'processor' }, { ackWaitS: 3 })
    await eventually(async () => {
      const backlog = await next.processor!.backlog()
      return backlog?.unacked === 0 && backlog.waiting === 0
    }, 30_000, 'the held frames redelivered and acked')
    expect(next.processor!.stats.redelivered).toBe(10)
    const [rows] = await world.query<{ n: string; frames: string }>('SELECT count() AS n, uniqExact(session_id, seq) AS frames FROM {db}.rtp_samples')
    expect(Number(rows!.frames)).toBe(15)
    const perFrame = frames.slice(0, 15).map((f) => selectReports(f.reports).filter((r) => r.type.endsWith('-rtp')).length)
    expect(Number(rows!.n)).toBe(perFrame.reduce((a, b) => a + b, 0))
    await next.close()
  })
})
