// The rtcstats decoder on every real dump in test/fixtures/rtcstats (jitsi's rtcstats-server
// test dumps: Chromium, Firefox and Safari, P2P, SFU, TURN relay, a failed and a reconnecting
// peer connection), plus hand-made bad and format-3 dumps.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { decodeDump, lineProblems, openDumpFile, readDump, RtcstatsDumpError, RtcstatsLineError, type DecodedDump, type StatsSnapshot } from '../rtcstats/index.ts'
import { fixturesDir } from './support/captures.ts'

const dumpsDir = join(fixturesDir, 'rtcstats')
const dumpNames = readdirSync(dumpsDir).filter((f) => f.endsWith('.jsonl')).sort()
const decode = (name: string) => readDump(openDumpFile(join(dumpsDir, name)))
const fromText = (text: string) => readDump(Readable.from([text]))

// Snapshots and events (create, close, ICE/connection/DTLS/gathering/signalling state) per
// peer connection, counted by hand from the dumps' getstats and state lines.
const expected: Record<string, { browser: string; pcs: Record<string, [snapshots: number, events: number]> }> = {
  '59c86272-03ea-42e9-a62d-1c8a272e8ab0.jsonl': { browser: 'chromium', pcs: { PC_0: [5, 16], PC_1: [5, 15] } },
  'chrome-relay.jsonl': { browser: 'chromium', pcs: { PC_0: [13, 11] } },
  'chrome-standard-pc-failed.jsonl': { browser: 'chromium', pcs: { PC_0: [7, 10], PC_1: [6, 9], PC_2: [6, 9] } },
  'chrome-standard-pc-reconnect.jsonl': { browser: 'chromium', pcs: { PC_0: [3, 16], PC_1: [2, 8], PC_2: [2, 8] } },
  'chrome96-standard-stats-p2p-add-transceiver.jsonl': { browser: 'chromium', pcs: { PC_0: [3, 13], PC_1: [3, 16] } },
  'firefox-relay.jsonl': { browser: 'firefox', pcs: { PC_0: [5, 12] } },
  'firefox97-standard-stats-sfu.jsonl': { browser: 'firefox', pcs: { PC_0: [8, 14] } },
  'google-standard-stats-relay-p2p.jsonl': { browser: 'chromium', pcs: { PC_0: [10, 11], PC_1: [10, 11] } },
  'safari-relay.jsonl': { browser: 'safari', pcs: { PC_0: [20, 15] } },
  'undefined-ice-candidate.jsonl': { browser: 'chromium', pcs: { PC_0: [3, 13] } },
}

const cumulative = ['packetsReceived', 'packetsSent', 'bytesReceived', 'bytesSent', 'framesDecoded', 'framesEncoded', 'framesReceived', 'framesSent', 'headerBytesReceived', 'headerBytesSent', 'totalSamplesReceived', 'concealedSamples', 'jitterBufferEmittedCount', 'nackCount', 'requestsSent', 'responsesReceived']

/** Consecutive snapshots of one pc in which a report id is present in both. */
function* consecutivePairs(snapshots: StatsSnapshot[]) {
  for (let i = 1; i < snapshots.length; i++) {
    const before = snapshots[i - 1]!
    const after = snapshots[i]!
    for (const [id, report] of after.reports) {
      const earlier = before.reports.get(id)
      if (earlier) yield { id, earlier, report, line: after.line }
    }
  }
}

const raw = (name: string) => readFileSync(join(dumpsDir, name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown[])

describe('rtcstats decoder on every real dump', () => {
  it('covers every dump in the fixtures', () => {
    expect(dumpNames).toEqual(Object.keys(expected).sort())
  })

  describe.each(dumpNames)('%s', (name) => {
    let dump: DecodedDump
    it('decodes every line, with the snapshot and event counts of each peer connection', async () => {
      dump = await decode(name)
      expect(dump.report.skippedLines).toBe(0)
      expect(dump.report.errors).toEqual([])
      expect(dump.identity.browser).toBe(expected[name]!.browser)
      const counts = Object.fromEntries([...dump.peerConnections].map(([pc, t]) => [pc, [t.snapshots.length, t.events.length]]))
      expect(counts).toEqual(expected[name]!.pcs)
      // Cross-check against the raw lines: one snapshot per getstats line of the pc.
      for (const [pc, trace] of dump.peerConnections) {
        expect(trace.snapshots.length).toBe(raw(name).filter((l) => l[0] === 'getstats' && l[1] === pc).length)
      }
    })

    it('gives every report its id, type and a real time, and snapshots in time order', () => {
      for (const trace of dump.peerConnections.values()) {
        let last = 0
        for (const snapshot of trace.snapshots) {
          expect(snapshot.ts).toBeGreaterThan(1.5e12) // an epoch-ms time, not 0 or a delta
          expect(snapshot.ts).toBeGreaterThanOrEqual(last)
          last = snapshot.ts
          for (const [id, report] of snapshot.reports) {
            expect(report.id).toBe(id)
            expect(typeof report['type']).toBe('string')
            expect(report.timestamp).toBeGreaterThan(1.5e12)
            expect(report.timestamp).toBeLessThanOrEqual(snapshot.ts)
          }
        }
      }
    })

    it('keeps every field of a report in the later snapshots (a delta never removes a field)', () => {
      let pairs = 0
      for (const trace of dump.peerConnections.values()) {
        for (const { earlier, report } of consecutivePairs(trace.snapshots)) {
          pairs += 1
          for (const field of Object.keys(earlier)) expect(report, field).toHaveProperty(field)
        }
      }
      expect(pairs).toBeGreaterThan(0)
    })

    it('has cumulative counters that never decrease within a peer connection while the report lives', () => {
      let checked = 0
      for (const trace of dump.peerConnections.values()) {
        for (const { id, earlier, report, line } of consecutivePairs(trace.snapshots)) {
          for (const field of cumulative) {
            // Legacy Chrome (goog*) stats carry numbers as strings.
            const a = Number(earlier[field])
            const b = Number(report[field])
            if (earlier[field] === undefined || report[field] === undefined || Number.isNaN(a) || Number.isNaN(b)) continue
            // Chromium restarts a transport's counters when it selects another candidate pair
            // (undefined-ice-candidate.jsonl, line 94): a new counting period.
            if (report['type'] === 'transport' && report['selectedCandidatePairChanges'] !== earlier['selectedCandidatePairChanges']) continue
            checked += 1
            expect(b, `${id}.${field} at line ${line}`).toBeGreaterThanOrEqual(a)
          }
        }
      }
      expect(checked).toBeGreaterThan(0)
    })
  })
})

describe('rtcstats undelta, checked against values read off the dumps', () => {
  it('Firefox: a field sent only in the first full line is still there at the end; an unchanged counter keeps its last value', async () => {
    const pc = (await decode('firefox-relay.jsonl')).peerConnections.get('PC_0')!
    const last = pc.snapshots.at(-1)!
    // Line 46 is the first with this inbound video stream; later lines carry only changes.
    const stream = last.reports.get('a0a4b540')!
    expect(stream).toMatchObject({ type: 'inbound-rtp', kind: 'video', mediaType: 'video', ssrc: 3475661459, codecId: 'd58553bb', remoteId: '66cc8fb9' })
    // Line 48 sets nackCount 6, line 49 does not mention it; packetsReceived 1392 then 1915.
    expect(pc.snapshots.map((s) => s.reports.get('a0a4b540')?.['packetsReceived'])).toEqual([undefined, 426, 875, 1392, 1915])
    expect(stream['nackCount']).toBe(6)
    // Firefox's own fields and types survive: framesPerSecond as sent, discardedPackets.
    expect(stream['discardedPackets']).toBe(12)
    expect(pc.snapshots[3]!.reports.get('a0a4b540')!['framesPerSecond']).toBe(23)
    expect(stream['framesPerSecond']).toBe(23)
    // Report times of 0 mean the line's getStats time.
    expect(stream.timestamp).toBe(last.ts)
    expect(last.ts).toBe(1697705994981)
  })

  it('Firefox 97 SFU: types appear when the streams start, and the first report of a type keeps its fields', async () => {
    const pc = (await decode('firefox97-standard-stats-sfu.jsonl')).peerConnections.get('PC_0')!
    const types = (s: StatsSnapshot) => new Set([...s.reports.values()].map((r) => r['type']))
    expect(types(pc.snapshots[0]!)).toEqual(new Set(['candidate-pair', 'inbound-rtp', 'local-candidate', 'outbound-rtp', 'remote-candidate']))
    expect(types(pc.snapshots.at(-1)!)).toEqual(new Set(['candidate-pair', 'inbound-rtp', 'local-candidate', 'outbound-rtp', 'remote-candidate', 'remote-inbound-rtp', 'remote-outbound-rtp']))
  })

  it('Safari: counters carry across the ICE disconnect and the reconnect; state changes in order', async () => {
    const pc = (await decode('safari-relay.jsonl')).peerConnections.get('PC_0')!
    expect(pc.events.filter((e) => e.name === 'ice-connection-state').map((e) => e.state)).toEqual(['checking', 'connected', 'disconnected', 'connected'])
    expect(pc.events.filter((e) => e.name === 'connection-state').map((e) => e.state)).toEqual(['connecting', 'connected', 'disconnected', 'connected'])
    expect(pc.events[0]!.name).toBe('create')
    // Line 61 (after the disconnect) sets packetsLost 528; line 62 does not change it.
    const atLine = (line: number) => pc.snapshots.find((s) => s.line === line)!
    expect(atLine(61).reports.get('IT01V3475661459')).toMatchObject({ type: 'inbound-rtp', kind: 'video', packetsLost: 528, packetsReceived: 6767 })
    expect(atLine(62).reports.get('IT01V3475661459')).toMatchObject({ packetsLost: 528, packetsReceived: 6990 })
    // The candidate pair Safari stopped reporting at line 44 is gone from then on.
    expect(atLine(43).reports.has('CPR7D4HGGR_9Idz8Xzg')).toBe(true)
    expect(atLine(44).reports.has('CPR7D4HGGR_9Idz8Xzg')).toBe(false)
    // Safari reports media-source and certificates too; the decoder keeps all types.
    expect([...atLine(42).reports.values()].some((r) => r['type'] === 'certificate')).toBe(true)
  })

  it('Chromium: candidate pairs pruned after connecting are dropped, not kept with stale counters', async () => {
    const dump = await decode('google-standard-stats-relay-p2p.jsonl')
    const pc0 = dump.peerConnections.get('PC_0')!
    const at = (line: number) => pc0.snapshots.find((s) => s.line === line)!
    // Line 89 no longer names five pairs of line 87 (the previous PC_0 line).
    const before = [...at(87).reports.keys()].filter((id) => id.startsWith('CP'))
    const after = [...at(89).reports.keys()].filter((id) => id.startsWith('CP'))
    expect(before).toContain('CPk0PMivjl_CWZJCZjK')
    expect(after).not.toContain('CPk0PMivjl_CWZJCZjK')
    expect(after.length).toBeLessThan(before.length)
    expect(after.every((id) => before.includes(id))).toBe(true)
  })

  it('legacy Chrome stats (goog* types) are decoded as they are', async () => {
    const pc = (await decode('chrome96-standard-stats-p2p-add-transceiver.jsonl')).peerConnections.get('PC_1')!
    expect([...pc.snapshots[0]!.reports.values()].some((r) => r['type'] === 'googCandidatePair')).toBe(true)
  })
})

describe('rtcstats decoder on bad input', () => {
  const good = readFileSync(join(dumpsDir, 'firefox-relay.jsonl'), 'utf8').split('\n').filter(Boolean)
  const secret = 'Hollis-nbX' // the dump's display name: must not be quoted by an error

  it('skips each bad line with its number and a typed error, and reads the rest', async () => {
    const lines = [...good]
    // Inserted before line 46 (a getstats line), so the undelta runs across them.
    lines.splice(45, 0, `{"displayName":"${secret}"`, `{"displayName":"${secret}"}`, `["getstats","PC_0","${secret}",1697705960000]`, '["getstats","PC_0",{"x":5},1697705960000]', `[42,"PC_0",{},1]`, `["oniceconnectionstatechange","PC_0",{"name":"${secret}"},1697705960000]`, '["onconnectionstatechange","PC_0","connected","soon"]', '["getstats",null,{},1697705960000]')
    const dump = await fromText(lines.join('\n') + '\n')
    expect(dump.report.skippedLines).toBe(8)
    expect(dump.report.errors.map((e) => [e.line, e.problem])).toEqual([
      [46, lineProblems.notJson],
      [47, lineProblems.notArray],
      [48, lineProblems.statsNotObject],
      [49, lineProblems.reportNotObject],
      [50, lineProblems.badMethod],
      [51, lineProblems.badState],
      [52, lineProblems.badTimestamp],
      [53, lineProblems.statsWithoutPeerConnection],
    ])
    for (const error of dump.report.errors) {
      expect(error).toBeInstanceOf(RtcstatsLineError)
      expect(error.code).toBe('CALLMASK_ERR_RTCSTATS_LINE')
      expect(error.message).toMatch(/^line \d+ .+; skipped$/)
      expect(error.message).not.toContain(secret)
    }
    // The good lines decode exactly as without the bad ones.
    const clean = await decode('firefox-relay.jsonl')
    const last = (d: DecodedDump) => [...d.peerConnections.get('PC_0')!.snapshots.at(-1)!.reports.values()]
    expect(dump.peerConnections.get('PC_0')!.snapshots.length).toBe(5)
    expect(last(dump)).toEqual(last(clean))
  })

  it('refuses what is not an rtcstats dump, with a sentence', async () => {
    await expect(fromText('')).rejects.toThrow(new RtcstatsDumpError('the dump is empty'))
    await expect(fromText('{"peers": []}\n')).rejects.toThrow(/this is not an rtcstats dump: none of its lines is a JSON array/)
    const prose = Array.from({ length: 500 }, (_, i) => `line ${i} of a README, mentioning ${secret}`).join('\n')
    const error = await fromText(prose).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RtcstatsDumpError)
    expect((error as Error).message).toBe('this is not an rtcstats dump: none of its first 50 lines is a JSON array [method, pcId, payload, timestamp]')
  })

  it('reads a whole dump as a stream, chunk boundaries anywhere', async () => {
    const text = readFileSync(join(dumpsDir, 'safari-relay.jsonl'), 'utf8')
    const chunks = text.match(/[\s\S]{1,777}/g)!
    let snapshots = 0
    for await (const item of decodeDump(Readable.from(chunks))) if (item.kind === 'snapshot') snapshots += 1
    expect(snapshots).toBe(20)
  })
})

describe('rtcstats file format 3 (RTCStatsDump header, relative times)', () => {
  // Hand-made from the format description (rtcstats/rtcstats docs/file-format.md): times are
  // deltas from the previous line, unchanged reports are left out, removed ones are null.
  const v3 = [
    'RTCStatsDump',
    JSON.stringify({ fileFormat: 3, userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' }),
    JSON.stringify([39, 'pc1', { iceServers: [] }, 1700000000000]),
    JSON.stringify(['g', 'pc1', { a: { type: 1, kind: 'audio', packetsReceived: 10 }, b: { type: 'candidate-pair', state: 'in-progress' }, timestamp: 1700000001000 }, 1000]),
    JSON.stringify([24, 'pc1', 'connected', 500]),
    JSON.stringify(['getStats', 'pc1', { a: { packetsReceived: 60 }, b: null, timestamp: 1700000002000 }, 500]),
    JSON.stringify(['g', 'pc1', { timestamp: 1700000003000 }, 1000]),
  ].join('\n')

  it('decodes method ids, relative times, left-out and removed reports', async () => {
    const dump = await fromText(v3)
    expect(dump.report.layout).toBe('rtcstats-v3')
    expect(dump.identity.browser).toBe('firefox')
    const pc = dump.peerConnections.get('pc1')!
    expect(pc.events.map((e) => [e.name, e.ts, e.state])).toEqual([['create', 1700000000000, undefined], ['ice-connection-state', 1700000001500, 'connected']])
    expect(pc.snapshots.map((s) => s.ts)).toEqual([1700000001000, 1700000002000, 1700000003000])
    expect(pc.snapshots[1]!.reports.get('a')).toEqual({ id: 'a', type: 'inbound-rtp', kind: 'audio', packetsReceived: 60, timestamp: 1700000002000 })
    expect(pc.snapshots[1]!.reports.has('b')).toBe(false)
    // Left out means unchanged: still there, stamped with the new time.
    expect(pc.snapshots[2]!.reports.get('a')).toMatchObject({ packetsReceived: 60, timestamp: 1700000003000 })
  })
})
