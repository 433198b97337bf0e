// End to end, adversarial: frames whose every identifier field carries personal data go
// through the whole pipeline (real uWS, JetStream, processor, chdb); then every String
// column of every table is scanned for every raw value and its normalised forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallContext, StatsReport } from '../schemas/frames.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { scanStringColumns } from './support/string-column-scan.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

// Each person's data and every form in which it could leak.
const people = [
  { raw: '+49 176 1234 5678', forms: ['+49 176 1234 5678', '+4917612345678', '4917612345678', '17612345678', '1234 5678'] },
  { raw: '0044 20 7946 0958', forms: ['0044 20 7946 0958', '+442079460958', '442079460958', '2079460958', '7946 0958'] },
  { raw: 'anna.schmidt@example.com', forms: ['anna.schmidt@example.com', 'anna.schmidt', 'anna_schmidt', 'schmidt'] },
  { raw: 'sip:jan.kees@voip.example.org', forms: ['jan.kees', 'jan.kees@voip.example.org'] },
  { raw: 'Dr. Jan-Kees Lantsheer', forms: ['Lantsheer', 'Jan-Kees'] },
  { raw: 'MariaGonzalez', forms: ['MariaGonzalez', 'gonzalez'] },
  { raw: 'schmidt-anna-42', forms: ['schmidt-anna', 'schmidt'] },
  { raw: 'Иван Петров', forms: ['Иван', 'Петров'] },
  { raw: '203.0.113.77', forms: ['203.0.113.77', '113.77'] },
  { raw: '2001:db8:85a3:42:1:2:3:4', forms: ['2001:db8:85a3:42', '85a3:42:1'] },
]
const allForms = people.flatMap((p) => p.forms)

/** Puts personal data into every identifier-like string field of a real report. */
function personalise(report: Record<string, unknown>, i: number): StatsReport {
  const person = (k: number) => people[(i + k) % people.length]!.raw
  const out: Record<string, unknown> = { ...report }
  const idFields = ['id', 'codecId', 'transportId', 'trackIdentifier', 'mediaSourceId', 'remoteId', 'localId', 'playoutId', 'mid', 'localCandidateId', 'remoteCandidateId', 'selectedCandidatePairId', 'label']
  // Ids keep their cross-references: the same person is used for an id wherever it appears.
  for (const field of idFields) if (typeof out[field] === 'string') out[field] = `${out[field]}-${person(String(out[field]).length)}`
  // Fields whose value is an enumeration: an app could still put anything there.
  if (typeof out['kind'] === 'string') out['kind'] = person(3)
  if (out['type'] === 'candidate-pair') out['state'] = person(4)
  if (out['type'] === 'codec') out['mimeType'] = i % 2 === 0 ? person(5) : `audio/${person(5).replace(/[^A-Za-z0-9+.-]/g, '')}`
  if (out['type'] === 'outbound-rtp') out['qualityLimitationReason'] = person(6)
  // Numbers ClickHouse would refuse in their columns must not stall the pipeline.
  if (out['type'] === 'inbound-rtp') Object.assign(out, { packetsReceived: -1, bytesReceived: 1e25, frameWidth: 1.5, ssrc: 2 ** 33 })
  if (out['type'] === 'local-candidate' || out['type'] === 'remote-candidate') {
    out['address'] = '203.0.113.77'
    out['ip'] = '203.0.113.77'
    out['relatedAddress'] = '2001:db8:85a3:42:1:2:3:4'
    out['url'] = 'turn:203.0.113.77:3478?transport=udp'
    out['usernameFragment'] = 'anna.schmidt@example.com'
    out['candidateType'] = person(7)
    out['networkType'] = person(8)
  }
  return out as StatsReport
}

describe('no personal value survives the pipeline (integration)', () => {
  let world: TestWorld
  beforeAll(async () => {
    world = await createTestWorld()
  })
  afterAll(async () => world?.close())

  it('scans every String column of every table for every raw value and normalised form', async () => {
    const pipeline = await world.start()
    // The SDK chooses the session id; an app could make it personal too.
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey, sessionId: 'anna_schmidt_private' })
    await client.connect()
    const frames = captureFrames(loadCapture('chromium-loopback-av.json')).slice(0, 20)
    let i = 0
    for (const frame of frames) {
      const call: CallContext = {
        conferenceId: `standup-${people[i % people.length]!.raw}`,
        participantId: people[(i + 1) % people.length]!.raw,
        displayName: people[(i + 4) % people.length]!.raw,
        peerConnectionId: `pc-${people[(i + 2) % people.length]!.raw}`,
        callId: `call-${people[(i + 3) % people.length]!.raw}`,
      }
      await client.sendStats(call, selectReports(frame.reports).map((r, k) => personalise(r, k)), frame.ts)
      await client.sendEvent(call, 'device-change', people[i % people.length]!.raw.slice(0, 60), frame.ts)
      i++
    }
    await client.waitForAck()
    await eventually(async () => {
      const [row] = await world.query<{ n: string }>('SELECT count() AS n FROM {db}.call_events')
      return Number(row?.n) === frames.length
    }, 30_000, 'events stored')
    await pipeline.processor!.close()
    client.close()

    // An absence proves something only where there is data: every table scanned holds rows.
    const [stored] = await world.query<{ rtp: string; pairs: string; events: string }>(
      'SELECT (SELECT count() FROM {db}.rtp_samples) AS rtp, (SELECT count() FROM {db}.connection_samples) AS pairs, (SELECT count() FROM {db}.call_events) AS events',
    )
    expect(Number(stored!.rtp)).toBeGreaterThan(100)
    expect(Number(stored!.pairs)).toBe(frames.length)
    expect(Number(stored!.events)).toBe(frames.length)

    const { columns, leaks } = await scanStringColumns(world, allForms)
    expect(columns.length).toBeGreaterThan(25)
    expect(leaks).toEqual([])

    // Pseudonymised, not emptied: the identifiers are still there to group by.
    const [sample] = await world.query<{ conference_id: string; report_id: string; participant_id: string }>(
      'SELECT conference_id, report_id, participant_id FROM {db}.rtp_samples LIMIT 1',
    )
    expect(sample!.conference_id).toMatch(/^standup-p_k1_/)
    expect(sample!.report_id).toMatch(/-p_k1_[\w-]{22}$/)
    expect(sample!.participant_id).toMatch(/^p_k1_[\w-]{22}$/)
    const [hostile] = await world.query<{ n: string; nulls: string }>(
      `SELECT count() AS n, countIf(packets_received IS NULL AND bytes_received IS NULL AND frame_width IS NULL) AS nulls FROM {db}.rtp_samples WHERE report_type = 'inbound-rtp'`,
    )
    expect(Number(hostile!.n)).toBeGreaterThan(0)
    expect(hostile!.nulls).toBe(hostile!.n)
  })
})
