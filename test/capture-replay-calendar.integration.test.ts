// Regression: the suite and the demo stopped working once the captures were 7 days old
// (ingest refuses frames older than that). Captures are now replayed relative to now; these
// tests move the process clock a year ahead and prove the replay still goes through the
// real pipeline, while the capture's own dates are refused, so the clock really moved.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { replayCapture, replayOffsetMs } from '../lib/capture-replay.ts'
import type { Pipeline } from '../app/pipeline.ts'
import type { ErrorFrame } from '../schemas/frames.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const yearMs = 365 * 24 * 3600 * 1000
const capture = loadCapture('chromium-loopback-av.json')

describe('capture replay is calendar-proof (unit)', () => {
  it('shifts sample and report times by one offset, ending at now', () => {
    const now = Date.parse('2031-06-15T12:00:00Z')
    const samples = replayCapture(capture, now)
    expect(samples.length).toBeGreaterThan(30)
    expect(Math.max(...samples.map((s) => s.ts))).toBe(now)
    const offset = replayOffsetMs(capture, now)
    const original = capture.peers[0]!.samples[3]!.reports.find((r) => r['type'] === 'inbound-rtp')!
    const replayed = samples.filter((s) => s.peerId === capture.peers[0]!.peerId)[3]!.reports.find((r) => r['type'] === 'inbound-rtp')!
    expect(replayed['timestamp']).toBe((original['timestamp'] as number) + offset)
    expect(replayed['lastPacketReceivedTimestamp']).toBe((original['lastPacketReceivedTimestamp'] as number) + offset)
    // Counters and durations are not times: they stay as recorded.
    expect(replayed['packetsReceived']).toBe(original['packetsReceived'])
    expect(replayed['jitter']).toBe(original['jitter'])
  })
})

describe('capture replay with the clock a year ahead (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  const yearAhead = Date.now() + yearMs

  beforeAll(async () => {
    // Only Date is faked: sockets, timers and the child nats-server run as usual.
    vi.useFakeTimers({ toFake: ['Date'], now: yearAhead, shouldAdvanceTime: true })
    world = await createTestWorld()
    pipeline = await world.start()
  })
  afterAll(async () => {
    await world?.close()
    vi.useRealTimers()
  })

  it('stores every replayed frame, stamped a year ahead', async () => {
    expect(Date.now()).toBeGreaterThanOrEqual(yearAhead)
    const frames = captureFrames(capture).filter((f) => f.peerId === 'caller')
    const errors: ErrorFrame[] = []
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey, onError: (e) => errors.push(e) })
    await client.connect()
    for (const frame of frames) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    await client.waitForAck(undefined, 30_000)
    client.close()
    expect(errors).toEqual([])

    const rtpPerFrame = frames.map((f) => selectReports(f.reports).filter((r) => r.type.endsWith('-rtp')).length)
    const expected = rtpPerFrame.reduce((a, b) => a + b, 0)
    expect(expected).toBeGreaterThan(50)
    await eventually(async () => {
      const [row] = await world.query<{ n: string }>('SELECT count() AS n FROM {db}.rtp_samples')
      return Number(row?.n) === expected
    }, 30_000, 'every rtp row of the replayed frames')
    const [span] = await world.query<{ oldest: string }>('SELECT toUnixTimestamp64Milli(min(ts)) AS oldest FROM {db}.rtp_samples')
    expect(Number(span!.oldest)).toBeGreaterThan(yearAhead - 60_000)
  })

  it('refuses the capture at its own dates, so the clock really moved', async () => {
    const stale = captureFrames(capture, Date.now() - yearMs).filter((f) => f.peerId === 'caller').slice(0, 3)
    const errors: ErrorFrame[] = []
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey, onError: (e) => errors.push(e) })
    await client.connect()
    for (const frame of stale) await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
    await client.waitForAck(undefined, 30_000) // refused seqs are settled, so they are acked too
    client.close()
    expect(errors.map((e) => [e.code, e.message])).toEqual(stale.map(() => ['CALLMASK_ERR_SCHEMA', '/ts is more than 7 days before the server clock']))
  })
})
