// Decoded rtcstats snapshots and events become the frames the SDK sends: every frame of
// every dump passes the wire schema, times move by one offset, a result too large for one
// frame is split without separating what the processor joins.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { callContextFor, eventFrameOf, openDumpFile, readDump, statsFramesOf } from '../rtcstats/index.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'
import { sentReportTypes } from '../sdk/stats-frame.ts'
import { fixturesDir } from './support/captures.ts'

const dumpsDir = join(fixturesDir, 'rtcstats')
const dumpNames = readdirSync(dumpsDir).filter((f) => f.endsWith('.jsonl')).sort()
const decode = (name: string) => readDump(openDumpFile(join(dumpsDir, name)))
const offset = 1_000 * 24 * 3600 * 1000

describe('rtcstats snapshots as stats frames', () => {
  it.each(dumpNames)('%s: every frame passes the wire schema, with only the types the SDK sends', async (name) => {
    const dump = await decode(name)
    let frames = 0
    for (const [pcId, trace] of dump.peerConnections) {
      const call = callContextFor(pcId, dump.identity)
      let seq = 0
      for (const snapshot of trace.snapshots) {
        for (const frame of statsFramesOf(snapshot, offset)) {
          frames += 1
          expect(frame.ts).toBe(snapshot.ts + offset)
          const result = validateClientFrame({ type: 'stats', seq: ++seq, ts: frame.ts, call, reports: frame.reports })
          expect(result.ok, JSON.stringify(result)).toBe(true)
          for (const report of frame.reports) expect(sentReportTypes.has(report.type)).toBe(true)
        }
      }
      for (const event of trace.events) {
        const out = eventFrameOf(event, offset)
        if (!out) continue
        const frame = out.value === undefined ? { type: 'event', seq: ++seq, ts: out.ts, call, name: out.name } : { type: 'event', seq: ++seq, ts: out.ts, call, name: out.name, value: out.value }
        expect(validateClientFrame(frame).ok).toBe(true)
      }
    }
    // Legacy Chrome stats have no standard report: nothing to send. Every other dump has some.
    if (name.startsWith('chrome96')) expect(frames).toBe(0)
    else expect(frames).toBeGreaterThan(0)
  })

  it('moves every absolute time by the offset and leaves counters and "never" (0) alone', async () => {
    const pc = (await decode('firefox-relay.jsonl')).peerConnections.get('PC_0')!
    const snapshot = pc.snapshots[2]!
    const [frame] = statsFramesOf(snapshot, offset)
    const original = snapshot.reports.get('a0a4b540')!
    const sent = frame!.reports.find((r) => r.id === 'a0a4b540')!
    expect(sent.timestamp).toBe(original.timestamp + offset)
    expect(sent['lastPacketReceivedTimestamp']).toBe((original['lastPacketReceivedTimestamp'] as number) + offset)
    expect(sent['packetsReceived']).toBe(original['packetsReceived'])
    // Firefox's candidate pairs say 0 for "no packet yet".
    const idle = frame!.reports.find((r) => r.type === 'candidate-pair' && r['lastPacketSentTimestamp'] === 0)
    expect(idle).toBeDefined()
  })

  it('splits a result of 265 reports so each pair has its candidates and each stream its codec', async () => {
    const pc = (await decode('undefined-ice-candidate.jsonl')).peerConnections.get('PC_0')!
    const snapshot = pc.snapshots.at(-1)!
    const frames = statsFramesOf(snapshot, 0)
    expect(frames.length).toBeGreaterThan(1)
    const selected = [...snapshot.reports.values()].filter((r) => sentReportTypes.has(r['type'] as string))
    expect(selected.length).toBeGreaterThan(256)
    const ids = new Set<string>()
    for (const frame of frames) {
      expect(frame.reports.length).toBeLessThanOrEqual(256)
      expect(JSON.stringify(frame.reports).length).toBeLessThan(200 * 1024)
      const here = new Set(frame.reports.map((r) => r.id))
      for (const report of frame.reports) {
        ids.add(report.id)
        if (report.type === 'candidate-pair') {
          for (const ref of ['localCandidateId', 'remoteCandidateId']) if (snapshot.reports.has(report[ref] as string)) expect(here.has(report[ref] as string)).toBe(true)
        }
        if (report.type.endsWith('-rtp') && snapshot.reports.has(report['codecId'] as string)) expect(here.has(report['codecId'] as string)).toBe(true)
      }
    }
    expect(ids).toEqual(new Set(selected.map((r) => r.id)))
  })
})

describe('rtcstats identity as call context', () => {
  it('takes endpoint id, display name, room and meeting id, and nothing else', async () => {
    const dump = await decode('firefox-relay.jsonl')
    expect(dump.identity).toEqual({
      statsFormat: 'firefox',
      browser: 'firefox',
      endpointId: 'ee0e8399',
      displayName: 'Hollis-nbX',
      conferenceName: 'absentbreakdownspicturesame',
      meetingId: '49639dc4-6e5a-4efa-8507-8ffbef927485',
    })
    expect(callContextFor('PC_0', dump.identity)).toEqual({
      conferenceId: 'absentbreakdownspicturesame',
      participantId: 'ee0e8399',
      peerConnectionId: 'PC_0',
      displayName: 'Hollis-nbX',
      callId: '49639dc4-6e5a-4efa-8507-8ffbef927485',
    })
    expect(callContextFor('PC_0', dump.identity, { conferenceId: 'weekly', participantId: 'agent-7' })).toMatchObject({ conferenceId: 'weekly', participantId: 'agent-7' })
    expect(callContextFor('PC_0', {})).toEqual({ conferenceId: 'rtcstats-import', participantId: 'rtcstats-import', peerConnectionId: 'PC_0' })
  })

  it('maps create, close and the ICE and connection states to wire events; DTLS and signalling have none', async () => {
    const pc = (await decode('firefox-relay.jsonl')).peerConnections.get('PC_0')!
    const mapped = pc.events.map((e) => eventFrameOf(e, 0)).filter((e) => e !== undefined).map((e) => [e.name, e.value])
    expect(mapped).toEqual([
      ['join', undefined],
      ['ice-state', 'checking'],
      ['connection-state', 'connecting'],
      ['ice-state', 'connected'],
      ['connection-state', 'connected'],
      ['leave', undefined],
    ])
    expect(pc.events.filter((e) => e.name === 'dtls-state').map((e) => eventFrameOf(e, 0))).toEqual([undefined, undefined])
  })
})
