// The browser SDK in Node, against the real ingest (uWS, nats-server, processor, chdb), each
// fed by a fake RTCPeerConnection that replays real getStats() results: Chromium (this
// project's capture), Firefox and Safari (rtcstats dumps of meet.jit.si clients). What the
// SDK keeps of each browser's shape must give the stored call its bitrates both ways, and
// close() must flush: everything acknowledged before it resolves, every seq stored once.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { replayCapture, shiftReportTimes } from '../lib/capture-replay.ts'
import { openDumpFile, readDump } from '../rtcstats/index.ts'
import { connect } from '../sdk/browser.ts'
import { fixturesDir, loadCapture } from './support/captures.ts'
import { nodeEnvironment, ReplayingPeerConnection } from './support/fake-browser.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

type Snapshot = Map<string, Record<string, unknown>>

/** A peer connection's snapshots from an rtcstats dump, times moved so the last one is now. */
async function dumpSnapshots(name: string, pcId: string): Promise<Snapshot[]> {
  const dump = await readDump(openDumpFile(join(fixturesDir, 'rtcstats', name)))
  const snapshots = dump.peerConnections.get(pcId)!.snapshots
  const offset = Date.now() - snapshots.at(-1)!.ts
  return snapshots.map((s) => new Map([...s.reports].map(([id, r]) => [id, shiftReportTimes(r, offset)])))
}

function captureSnapshots(file: string, peerId: string): Snapshot[] {
  return replayCapture(loadCapture(file))
    .filter((s) => s.peerId === peerId)
    .map((s) => new Map(s.reports.map((r) => [r['id'] as string, r])))
}

const browsers: { browser: string; load: () => Promise<Snapshot[]> | Snapshot[] }[] = [
  { browser: 'chromium', load: () => captureSnapshots('chromium-loopback-av.json', 'caller') },
  { browser: 'firefox', load: () => dumpSnapshots('firefox97-standard-stats-sfu.jsonl', 'PC_0') },
  { browser: 'safari', load: () => dumpSnapshots('safari-relay.jsonl', 'PC_0') },
]

describe('browser SDK against the real ingest, replaying Chromium, Firefox and Safari getStats() (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  beforeAll(async () => {
    world = await createTestWorld()
    // Snapshots replay every few ms, far faster than a browser's interval.
    pipeline = await world.start({ framesPerSecondPerSession: 5000 })
  })
  afterAll(async () => world?.close())

  it.each(browsers)('$browser: every snapshot stored once with bitrates both ways; close() flushed first', async ({ browser, load }) => {
    const snapshots = await load()
    const conferenceId = `replay-${browser}`
    const session = connect({ url: pipeline.ingest!.url, key: testKey, environment: nodeEnvironment })
    const errors: string[] = []
    session.on('error', (e) => errors.push(e.code))
    const pc = new ReplayingPeerConnection(snapshots)
    const polls: number[] = []
    const watched = session.monitor(pc, { conferenceId, participantId: `user-${browser}`, peerConnectionId: `pc-${browser}`, intervalMs: 2 })
    watched.on('poll', (cost) => polls.push(cost.reports))
    pc.setState('connected', 'connected')
    await eventually(() => pc.exhausted, 10_000, 'the snapshots replayed')
    watched.rate(5)
    const result = await session.close(10_000)
    expect(result).toEqual({ flushed: true, pending: 0 })
    expect(errors).toEqual([])
    const lastSeq = session.lastAckedSeq
    expect(polls.length).toBeGreaterThanOrEqual(snapshots.length - 1) // the first may hold no stream yet

    const seqs = async () => (await world.query<{ seq: string }>(`SELECT DISTINCT seq FROM (
      SELECT seq FROM {db}.rtp_samples WHERE conference_id = {c:String} UNION ALL
      SELECT seq FROM {db}.connection_samples WHERE conference_id = {c:String} UNION ALL
      SELECT seq FROM {db}.call_events WHERE conference_id = {c:String}) ORDER BY seq`, { c: conferenceId })).map((r) => Number(r.seq))
    await eventually(async () => (await seqs()).length === lastSeq, 30_000, `${browser}: every seq stored`)
    expect(await seqs()).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1))

    const rates = await world.query<{ report_type: string; rate: number }>(`SELECT report_type, max(interval_bitrate_bps) AS rate FROM {db}.rtp_samples
      WHERE conference_id = {c:String} AND report_type IN ('inbound-rtp', 'outbound-rtp') AND interval_state = 'ok' GROUP BY report_type ORDER BY report_type`, { c: conferenceId })
    expect(rates.map((r) => r.report_type)).toEqual(['inbound-rtp', 'outbound-rtp'])
    for (const r of rates) expect(r.rate, `${browser} ${r.report_type}`).toBeGreaterThan(1000)
    const [pairs] = await world.query<{ n: string }>('SELECT count() AS n FROM {db}.connection_samples WHERE conference_id = {c:String}', { c: conferenceId })
    expect(Number(pairs!.n)).toBeGreaterThan(0)
    const events = await world.query<{ name: string }>('SELECT name FROM {db}.call_events WHERE conference_id = {c:String} ORDER BY seq', { c: conferenceId })
    expect(events.map((e) => e.name)).toEqual(['join', 'ice-state', 'connection-state', 'connection-state', 'ice-state', 'feedback', 'leave'])
  })
})
