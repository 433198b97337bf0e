// The analysts' tables through the real pipeline (uWS ingest, nats-server, processor, chdb):
// a clean and a degraded call streamed by the SDK; the materialised views fill the per-minute
// quality and the per-call summaries; raw rows expire by their TTL while aggregates stay.
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issuesSubject } from '../../lib/jetstream-streams.ts'
import type { IssueEvent } from '../../processor/issue-publisher.ts'
import type { Pipeline } from '../../app/pipeline.ts'
import { CallmaskClient } from '../../sdk/callmask-client.ts'
import { selectReports } from '../../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from '../support/captures.ts'
import { createTestWorld, eventually, testKey, testTenant, type TestWorld } from '../support/test-pipeline.ts'

const day = 86_400_000

async function streamCall(url: string, captureName: string, conferenceId: string, now: number): Promise<number> {
  const frames = captureFrames(loadCapture(captureName), now)
  const clients = new Map<string, CallmaskClient>()
  for (const frame of frames) {
    let client = clients.get(frame.peerId)
    if (!client) {
      client = new CallmaskClient({ url, key: testKey })
      await client.connect()
      clients.set(frame.peerId, client)
    }
    const call = { conferenceId, callId: `${conferenceId}-call`, participantId: `${conferenceId}-${frame.peerId}`, peerConnectionId: `pc-${frame.peerId}` }
    await client.sendStats(call, selectReports(frame.reports), frame.ts)
  }
  for (const client of clients.values()) {
    await client.waitForAck(undefined, 30_000)
    client.close()
  }
  return frames.length
}

interface Summary {
  conference_id: string
  call_id: string
  participant_id: string
  peer_connection_id: string
  kind: string
  direction: string
  duration_s: number
  codec: string
  intervals: string
  mos_p50: number | null
  mos_p5: number | null
  bitrate_avg: number | null
  freeze_count: number
  freeze_duration: number
  quality_limited_share: number | null
  local_candidate_types: string[]
  relayed: number
}

describe('quality aggregates (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let summaries: Summary[]
  let subscriber: NatsConnection
  const published: IssueEvent[] = []

  beforeAll(async () => {
    world = await createTestWorld()
    // Raw rows are kept for one day. The clean call is replayed as made now, the degraded one
    // as made three days ago (inside ingest's window): its raw rows are expired on arrival,
    // and ClickHouse may drop them at any moment, while its aggregates (395 days) stay.
    pipeline = await world.start({ retentionDays: 1 })
    // An app listening for live issues on its tenant's subject.
    subscriber = await connect(world.natsOptions('admin'))
    const subscription = subscriber.subscribe(issuesSubject(testTenant))
    void (async () => {
      for await (const message of subscription) published.push(message.json<IssueEvent>())
    })()
    await subscriber.flush()
    const url = pipeline.ingest!.url
    const sent = (await streamCall(url, 'chromium-loopback-av.json', 'room-clean', Date.now())) + (await streamCall(url, 'chromium-loopback-degraded.json', 'room-degraded', Date.now() - 3 * day))
    expect(sent).toBe(124)
    await eventually(() => pipeline.processor!.stats.messages === 124, 60_000, 'every frame stored in ClickHouse')
    expect(pipeline.processor!.stats.deadLettered).toBe(0)
    await pipeline.processor!.close()
    summaries = await world.query<Summary>('SELECT * FROM {db}.call_summaries ORDER BY conference_id, participant_id, kind, direction')
  }, 120_000)
  afterAll(async () => {
    await subscriber?.close()
    await world?.close()
  })

  // Participant ids are stored as pseudonyms: the peers are told apart by their peer connection ids.
  const summary = (conference: string, peer: string, kind: string, direction: string) =>
    summaries.find((s) => s.conference_id === conference && s.peer_connection_id === `pc-${peer}` && s.kind === kind && s.direction === direction)

  it('summarises every call per participant, kind and direction', () => {
    // 2 calls x 2 participants; audio both ways and sent (remote-inbound) views; video for both calls
    expect(summaries.length).toBe(2 * 2 * 2 * 2)
    for (const s of summaries) {
      expect(s.call_id).toMatch(/^room-(clean|degraded)-call$/)
      expect(s.duration_s).toBeGreaterThan(25)
      expect(s.duration_s).toBeLessThan(35)
      expect(s.local_candidate_types).toEqual(['host'])
      expect(s.relayed).toBe(0)
    }
    const heard = summary('room-clean', 'caller', 'audio', 'received')!
    expect(heard.codec).toBe('audio/opus')
    expect(heard.mos_p50).toBeGreaterThan(4.2)
    expect(heard.mos_p5).toBeGreaterThan(4)
    expect(Number(heard.intervals)).toBeGreaterThan(25)
  })

  it('the degraded call shows its freeze, its bitrate cap and its quality limitation; the clean call does not', () => {
    const degradedVideo = summary('room-degraded', 'caller', 'video', 'received')!
    expect(degradedVideo.freeze_count).toBe(1)
    expect(degradedVideo.freeze_duration).toBeCloseTo(3.094, 2)
    expect(summary('room-clean', 'caller', 'video', 'received')!.freeze_count).toBe(0)
    const degradedSent = summary('room-degraded', 'caller', 'video', 'sent')!
    const cleanSent = summary('room-clean', 'caller', 'video', 'sent')!
    expect(degradedSent.quality_limited_share).toBeGreaterThan(0.3)
    expect(cleanSent.quality_limited_share).toBe(0)
    expect(degradedSent.bitrate_avg!).toBeLessThan(cleanSent.bitrate_avg! / 2)
  })

  it('fills the per-minute quality per conference with MOS, loss, jitter and RTT percentiles', async () => {
    const minutes = await world.query<{ conference_id: string; direction: string; kind: string; streams: string; intervals: string; mos_p50: number; loss_p95: number; jitter_p95: number; rtt_p95: number }>(
      "SELECT * FROM {db}.quality_per_minute WHERE kind = 'audio' AND direction = 'received' ORDER BY minute",
    )
    expect(minutes.length).toBeGreaterThanOrEqual(2) // two conferences, each in one or two minutes
    const intervals = minutes.reduce((sum, m) => sum + Number(m.intervals), 0)
    expect(intervals).toBeGreaterThan(4 * 25) // 2 calls x 2 receiving participants x ~29 intervals
    for (const m of minutes) {
      expect(m.mos_p50).toBeGreaterThan(4.2)
      expect(m.loss_p95).toBe(0)
      expect(m.jitter_p95).toBeGreaterThanOrEqual(0)
      expect(m.rtt_p95).toBeLessThan(0.1)
    }
  })

  it('publishes the degraded call\'s issues on the tenant\'s subject once stored, and none for the clean call', async () => {
    await eventually(() => published.filter((e) => e.issue === 'video-freeze' && e.state === 'end').length === 2, 10_000, 'both freezes to end')
    const degraded = published.filter((e) => e.conferenceId === 'room-degraded').map((e) => `${e.peerConnectionId} ${e.reportType} ${e.mediaKind} ${e.issue} ${e.state}`)
    expect(degraded).toContain('pc-caller outbound-rtp video bandwidth-limitation start')
    expect(degraded).toContain('pc-callee inbound-rtp video video-freeze start')
    expect(degraded).toContain('pc-caller inbound-rtp video video-freeze end')
    expect(published.filter((e) => e.conferenceId === 'room-clean')).toEqual([])
    // The same transitions are in the table, and the pseudonymised participant ids match it.
    const stored = await world.query<{ participant_id: string; issue: string; state: string }>("SELECT participant_id, issue, state FROM {db}.stream_issues WHERE conference_id = 'room-degraded'")
    expect(stored.length).toBe(degraded.length)
    const participants = new Set(stored.map((r) => r.participant_id))
    expect(published.every((e) => participants.has(e.participantId) && !e.participantId.includes('room-'))).toBe(true)
    const active = await world.query<{ issue: string }>("SELECT issue FROM {db}.active_issues WHERE conference_id = 'room-degraded'")
    expect(active.map((a) => a.issue)).toContain('bandwidth-limitation')
    expect(active.map((a) => a.issue)).not.toContain('video-freeze')
  })

  it('raw rows expire by their TTL (forced by OPTIMIZE FINAL) while the aggregates keep theirs', async () => {
    const rawRows = async (conference: string) =>
      Number((await world.query<{ n: string }>('SELECT count() AS n FROM {db}.rtp_samples WHERE conference_id = {c:String}', { c: conference }))[0]!.n)
    for (const table of ['rtp_samples', 'connection_samples', 'call_stream_state', 'call_path_state', 'quality_minute_state']) {
      await world.clickhouse.command({ query: `OPTIMIZE TABLE ${world.database}.${table} FINAL` })
    }
    // The clean call's raw rows are within their day; the degraded call's are gone.
    expect(await rawRows('room-clean')).toBeGreaterThan(400)
    expect(await rawRows('room-degraded')).toBe(0)
    const pairs = await world.query<{ conference_id: string }>('SELECT DISTINCT conference_id FROM {db}.connection_samples')
    expect(pairs.map((p) => p.conference_id)).toEqual(['room-clean'])
    // Both calls' summaries stay, with the degraded call's freeze.
    const after = await world.query<Summary>('SELECT * FROM {db}.call_summaries')
    expect(after.length).toBe(summaries.length)
    const freeze = after.find((s) => s.conference_id === 'room-degraded' && s.peer_connection_id === 'pc-caller' && s.kind === 'video' && s.direction === 'received')
    expect(freeze?.freeze_duration).toBeCloseTo(3.094, 2)
  })
})
