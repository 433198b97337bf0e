// Imported rtcstats dumps get the same per-interval values as live SDK frames: each dump's
// snapshots become frames carrying their predecessor (as the import's client sends them),
// mapped by the processor's policy and mapper. Firefox and Safari shapes included.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Row } from '../../processor/report-mapper.ts'
import { callContextFor, openDumpFile, readDump, statsFramesOf } from '../../rtcstats/index.ts'
import type { StatsReport } from '../../schemas/frames.ts'
import { buildStatsFrame } from '../../sdk/stats-frame.ts'
import { fixturesDir } from '../support/captures.ts'
import { mapFrame } from '../support/mapped-captures.ts'

async function dumpRows(name: string): Promise<{ rtp: Row[]; pairs: Row[] }> {
  const dump = await readDump(openDumpFile(join(fixturesDir, 'rtcstats', name)))
  const rtp: Row[] = []
  const pairs: Row[] = []
  for (const [pcId, trace] of dump.peerConnections) {
    const call = callContextFor(pcId, dump.identity)
    let previous: StatsReport[] = []
    let seq = 0
    for (const snapshot of trace.snapshots) {
      for (const outgoing of statsFramesOf(snapshot, 0)) {
        const frame = buildStatsFrame(++seq, outgoing.ts, call, outgoing.reports, previous)
        previous = frame.reports
        const rows = await mapFrame(frame)
        rtp.push(...rows.rtp_samples)
        pairs.push(...rows.connection_samples)
      }
    }
  }
  return { rtp, pairs }
}

const ok = (rows: Row[], type: string) => rows.filter((r) => r['report_type'] === type && r['interval_state'] === 'ok')
const positive = (rows: Row[], column: string) => rows.filter((r) => typeof r[column] === 'number' && (r[column] as number) > 0).length

const dumpNames = readdirSync(join(fixturesDir, 'rtcstats')).filter((f) => f.endsWith('.jsonl')).sort()

describe('per-interval values of imported rtcstats dumps', () => {
  it.each(dumpNames)('%s: every rtp and pair row says how its interval went; streams seen twice get one', async (name) => {
    const { rtp, pairs } = await dumpRows(name)
    for (const row of [...rtp, ...pairs]) expect(['ok', 'first', 'reset', 'invalid', 'none']).toContain(row['interval_state'])
    // The legacy-stats Chrome 96 dump has no standard report at all (see rtcstats-frames.test.ts).
    if (name.startsWith('chrome96')) return expect(rtp).toEqual([])
    expect(ok(rtp, 'inbound-rtp').length + ok(rtp, 'outbound-rtp').length).toBeGreaterThan(0)
    for (const row of ok(rtp, 'inbound-rtp')) {
      const loss = row['interval_loss_fraction']
      if (loss !== null) expect(loss as number).toBeGreaterThanOrEqual(0)
      if (row['interval_bitrate_bps'] !== null) expect(row['interval_bitrate_bps'] as number).toBeGreaterThanOrEqual(0)
    }
  })

  it.each(['firefox-relay.jsonl', 'firefox97-standard-stats-sfu.jsonl', 'safari-relay.jsonl', 'chrome-relay.jsonl'])('%s: received and sent streams get bitrates, loss and a selected pair', async (name) => {
    const { rtp, pairs } = await dumpRows(name)
    const inbound = ok(rtp, 'inbound-rtp')
    const outbound = ok(rtp, 'outbound-rtp')
    expect(inbound.length).toBeGreaterThan(2)
    expect(outbound.length).toBeGreaterThan(2)
    // SFU and simulcast dumps hold streams that carry nothing (bitrate 0): some must carry media.
    expect(positive(inbound, 'interval_bitrate_bps')).toBeGreaterThan(2)
    expect(positive(outbound, 'interval_bitrate_bps')).toBeGreaterThan(2)
    expect(inbound.every((r) => r['interval_loss_fraction'] === null || ((r['interval_loss_fraction'] as number) >= 0 && (r['interval_loss_fraction'] as number) <= 1))).toBe(true)
    // Chromium and Safari name it in their transport, Firefox flags the pair itself.
    expect(pairs.some((p) => p['selected'] === 1)).toBe(true)
    expect(pairs.every((p) => p['state'] !== 'other')).toBe(true)
  })

  it('Chromium relay dump: the selected pair goes through the relay', async () => {
    const { pairs } = await dumpRows('chrome-relay.jsonl')
    const selected = pairs.filter((p) => p['selected'] === 1)
    expect(selected.length).toBeGreaterThan(5)
    expect(selected.some((p) => p['local_candidate_type'] === 'relay' || p['remote_candidate_type'] === 'relay')).toBe(true)
  })
})
