// End to end: real rtcstats dumps (Chromium P2P over TURN, Firefox and Safari through the
// SFU) imported through the real pipeline (uWS ingest, JetStream, processor, chdb), one
// session per peer connection. Rows must arrive with the dumps' values, and neither the
// display names, endpoint ids nor IP addresses the dumps carry may appear in any String
// column or log line.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { importRtcstatsDump, openDumpFile, readDump, RtcstatsImportError, statsFramesOf, type DecodedDump, type ImportSummary } from '../rtcstats/index.ts'
import { fixturesDir } from './support/captures.ts'
import { runScript } from './support/run-script.ts'
import { scanStringColumns } from './support/string-column-scan.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const dumpPath = (name: string) => join(fixturesDir, 'rtcstats', name)

// Personal data in the dumps' identity and stats lines (display names, endpoint ids, the
// addresses Chromium reported as relatedAddress and host candidates).
const personal = ['Cecelia-gct', 'Hollis-nbX', 'Toni-AGZ', 'Annabel-7gE', '85130060', 'ee0e8399', '0e0bdb73', '59e48073', '193.122.0.59', '192.168.1.22', '10.75.125.132', '79.119.106.81', '122.0.59']

// Counted from the decoded dump, independently of the processor's mapper.
function expectedRows(dump: DecodedDump) {
  let rtp = 0
  let pairs = 0
  /** Highest packet count per peer connection and direction, as the dump says. */
  const maxPackets = new Map<string, { pcId: string; type: 'inbound-rtp' | 'outbound-rtp'; packets: number }>()
  for (const [pcId, trace] of dump.peerConnections) {
    for (const snapshot of trace.snapshots) {
      for (const frame of statsFramesOf(snapshot, 0)) {
        for (const report of frame.reports) {
          if (report.type.endsWith('-rtp')) rtp++
          if (report.type === 'candidate-pair') pairs++
          const count = report.type === 'inbound-rtp' ? report['packetsReceived'] : report.type === 'outbound-rtp' ? report['packetsSent'] : undefined
          if (typeof count === 'number') {
            const key = `${pcId} ${report.type}`
            maxPackets.set(key, { pcId, type: report.type as 'inbound-rtp' | 'outbound-rtp', packets: Math.max(maxPackets.get(key)?.packets ?? 0, count) })
          }
        }
      }
    }
  }
  return { rtp, pairs, maxPackets: [...maxPackets.values()] }
}

const runCli = (args: string[]) => runScript('bin/import-rtcstats.ts', args, { timeoutMs: 90_000 })

describe('rtcstats import through the pipeline (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  // Session ids are stored pseudonymised: each dump is told apart by a conference id of its own.
  const conferences: Record<string, string> = { 'google-standard-stats-relay-p2p.jsonl': 'dump-one', 'chrome-relay.jsonl': 'dump-four', 'firefox-relay.jsonl': 'dump-two', 'safari-relay.jsonl': 'dump-three' }
  const imported = new Map<string, ImportSummary | undefined>()
  const progress: string[] = []

  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start()
  })
  afterAll(async () => world?.close())

  const rowsOf = async (table: string, conference: string) =>
    Number((await world.query<{ n: string }>(`SELECT count() AS n FROM {db}.${table} WHERE conference_id = {c:String}`, { c: conference }))[0]!.n)

  it.each(['google-standard-stats-relay-p2p.jsonl', 'chrome-relay.jsonl', 'firefox-relay.jsonl'])('imports %s, every frame acknowledged and stored', async (name) => {
    const conference = conferences[name]!
    const summary = await importRtcstatsDump({ file: dumpPath(name), url: pipeline.ingest!.url, key: testKey, call: { conferenceId: conference }, progress: (line) => progress.push(line) })
    const dump = await readDump(openDumpFile(dumpPath(name)))
    expect(summary.refused).toEqual([])
    expect(summary.acknowledged).toBe(summary.framesSent)
    expect(summary.sessions.map((s) => s.pcId)).toEqual([...dump.peerConnections.keys()])
    expect(summary.decode.skippedLines).toBe(0)
    imported.set(name, summary)

    const expected = expectedRows(dump)
    expect(expected.rtp).toBeGreaterThan(10)
    // Each table is a separate insert: wait for all three, then check none holds more.
    await eventually(async () => (await rowsOf('rtp_samples', conference)) === expected.rtp && (await rowsOf('call_events', conference)) === summary.eventFrames && (await rowsOf('connection_samples', conference)) >= expected.pairs, 30_000, `rows of ${name}`)
    expect(await rowsOf('connection_samples', conference)).toBe(expected.pairs)

    // Plausible values, the dump's own: the highest packet count per peer connection and direction.
    for (const { pcId, type, packets } of expected.maxPackets) {
      const [row] = await world.query<{ packets: string; kinds: string[]; jitter: number; newest: string }>(
        `SELECT max(if(report_type = 'inbound-rtp', packets_received, packets_sent)) AS packets, groupUniqArray(kind) AS kinds, max(jitter) AS jitter,
                toUnixTimestamp64Milli(max(ts)) AS newest
           FROM {db}.rtp_samples WHERE conference_id = {c:String} AND peer_connection_id = {pc:String} AND report_type = {t:String}`,
        { c: conference, pc: pcId, t: type },
      )
      expect(Number(row!.packets), `${pcId} ${type}`).toBe(packets)
      expect(row!.kinds.every((k) => k === 'audio' || k === 'video')).toBe(true)
      if (type === 'inbound-rtp' && packets > 0) {
        expect(row!.jitter).toBeGreaterThan(0)
        expect(row!.jitter).toBeLessThan(1) // seconds
      }
      // Replayed to end now: the newest row is from the last minutes, whatever the dump's date.
      expect(Number(row!.newest)).toBeGreaterThan(Date.now() - 10 * 60_000)
    }
    // The Chromium P2P dump never carried media (its inbound stream stays at 0 packets).
    if (!name.startsWith('google')) expect(expected.maxPackets.some((m) => m.packets > 0)).toBe(true)
    const states = await world.query<{ name: string; value_text: string }>(
      'SELECT name, value_text FROM {db}.call_events WHERE conference_id = {c:String} ORDER BY ts, seq',
      { c: conference },
    )
    expect(states.filter((e) => e.name === 'ice-state').map((e) => e.value_text)).toContain('connected')
  })

  it('imports safari-relay.jsonl with the command, which prints progress and a plain summary', async () => {
    const result = await runCli([dumpPath('safari-relay.jsonl'), '--url', pipeline.ingest!.url, '--key', testKey, '--conference', conferences['safari-relay.jsonl']!])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Importing safari-relay.jsonl: safari dump, times replayed to end now.')
    expect(result.stdout).toMatch(/Imported safari-relay\.jsonl \(safari\): 1 session\(s\), one per peer connection\./)
    // 20 snapshots; of 15 events, 9 have a wire event (create, ICE and connection states).
    expect(result.stdout).toMatch(/frames sent: +29 \(20 stats, 9 events\)/)
    expect(result.stdout).toMatch(/acknowledged: +29\n/)
    expect(result.stdout).toMatch(/skipped lines: +0 of 65/)
    progress.push(...result.stdout.split('\n'))
    expect([...result.stdout.matchAll(/peer connection PC_0 -> session [\w-]{16}\n/g)]).toHaveLength(1)
    imported.set('safari-relay.jsonl', undefined)
    const conference = conferences['safari-relay.jsonl']!
    const expected = expectedRows(await readDump(openDumpFile(dumpPath('safari-relay.jsonl'))))
    await eventually(async () => (await rowsOf('rtp_samples', conference)) === expected.rtp && (await rowsOf('call_events', conference)) === 9 && (await rowsOf('connection_samples', conference)) >= expected.pairs, 30_000, 'safari rows')
    expect(await rowsOf('connection_samples', conference)).toBe(expected.pairs)
    // Safari's outbound video carries its codec through the import.
    const codecs = await world.query<{ codec: string }>(`SELECT DISTINCT codec FROM {db}.rtp_samples WHERE conference_id = {c:String} AND codec != ''`, { c: conference })
    expect(codecs.length).toBeGreaterThan(0)
  })

  it('stores no display name, endpoint id or IP address of the dumps in any String column, and logs none', async () => {
    expect(imported.size).toBe(4)
    const all = Object.values(conferences)
    // Every participant and display name is a pseudonym; the four dumps are four people.
    const people = await world.query<{ participant_id: string; display_name: string }>(
      'SELECT DISTINCT participant_id, display_name FROM {db}.rtp_samples WHERE conference_id IN {c:Array(String)}',
      { c: all },
    )
    expect(people).toHaveLength(4)
    for (const row of people) {
      expect(row.participant_id).toMatch(/^p_k1_[A-Za-z0-9_-]{22}$/)
      expect(row.display_name).toMatch(/^p_k1_[A-Za-z0-9_-]{22}$/)
    }
    // Candidate addresses arrive truncated.
    const addresses = await world.query<{ a: string }>(
      `SELECT DISTINCT local_address_truncated AS a FROM {db}.connection_samples WHERE conference_id IN {c:Array(String)} AND a != ''`,
      { c: all },
    )
    expect(addresses.map((r) => r.a)).toContain('193.122.0.0')

    const { columns, leaks } = await scanStringColumns(world, personal)
    expect(columns.length).toBeGreaterThan(25)
    expect(leaks).toEqual([])
    const logged = [...world.logs, ...progress].filter((line) => personal.some((p) => line.includes(p)))
    expect(logged).toEqual([])
  })

  it('refuses --keep-times for a dump older than the ingest accepts, with a sentence', async () => {
    const error = await importRtcstatsDump({ file: dumpPath('firefox-relay.jsonl'), url: pipeline.ingest!.url, key: testKey, keepTimes: true }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RtcstatsImportError)
    expect((error as Error).message).toBe(
      "the dump's times (2023-10-19 to 2023-10-19) are outside what the ingest accepts (7 days back, 1 day ahead); import it without --keep-times to replay it ending now",
    )
  })

  it('the command fails with a sentence and exit 1 on a missing file, a file that is no dump, and a refused key', async () => {
    const missing = await runCli(['no-such-dump.jsonl', '--url', pipeline.ingest!.url])
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim()).toBe('There is no file no-such-dump.jsonl: name an rtcstats dump (JSON lines, as rtcstats-server writes them).')

    const notADump = await runCli(['README.md', '--url', pipeline.ingest!.url, '--key', testKey])
    expect(notADump.code).toBe(1)
    expect(notADump.stderr.trim()).toBe('The import of README.md failed: this is not an rtcstats dump: none of its first 50 lines is a JSON array [method, pcId, payload, timestamp].')

    const refused = await runCli([dumpPath('firefox-relay.jsonl'), '--url', pipeline.ingest!.url, '--key', 'not-a-key-of-this-ingest'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^The import of .*firefox-relay\.jsonl failed: the ingest refused the connection \(CALLMASK_ERR_BAD_KEY: .+\)\.\n$/)
    expect(refused.stderr).not.toMatch(/\n\s+at /) // no stack trace
    for (const out of [missing, notADump, refused]) expect(personal.some((p) => out.stdout.includes(p) || out.stderr.includes(p))).toBe(false)
  })
})
