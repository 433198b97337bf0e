// Per-interval values are computed from the frame alone (its reports and its `previous`):
// counter resets, redelivery, reordering, gaps and processor restarts cannot make an interval
// wrong or count it twice. Real capture frames, with their counters edited where a case needs it.
import { describe, expect, it } from 'vitest'
import { streamInterval } from '../../processor/quality/stream-interval.ts'
import type { StatsFrame, StatsReport } from '../../schemas/frames.ts'
import { intervalSnapshot } from '../../sdk/stats-frame.ts'
import { loadCapture } from '../support/captures.ts'
import { mapFrame, peerFrames, streamRows } from '../support/mapped-captures.ts'

const frames = peerFrames(loadCapture('chromium-loopback-av.json'), 'caller')
const inboundAudio = (frame: StatsFrame) => frame.reports.find((r) => r.type === 'inbound-rtp' && r['kind'] === 'audio')!

async function inboundAudioRow(frame: StatsFrame) {
  return streamRows((await mapFrame(frame)).rtp_samples, 'inbound-rtp', 'audio')[0]!
}

describe('stream intervals', () => {
  it('computes rates from the two snapshots, by hand', () => {
    const previous: StatsReport = { id: 'IT1', type: 'inbound-rtp', timestamp: 1_000, packetsReceived: 100, packetsLost: 2, bytesReceived: 10_000, jitterBufferDelay: 4, jitterBufferEmittedCount: 80_000, concealedSamples: 0, totalSamplesReceived: 96_000 }
    const current: StatsReport = { id: 'IT1', type: 'inbound-rtp', timestamp: 3_000, packetsReceived: 196, packetsLost: 6, bytesReceived: 22_000, jitterBufferDelay: 9.6, jitterBufferEmittedCount: 176_000, concealedSamples: 960, totalSamplesReceived: 192_000 }
    const interval = streamInterval(previous, current)
    expect(interval.state).toBe('ok')
    expect(interval.ms).toBe(2000)
    expect(interval.bitrateBps).toBe((12_000 * 8) / 2) // 12 000 bytes in 2 s
    expect(interval.packetRate).toBe(96 / 2)
    expect(interval.lossFraction).toBe(4 / (4 + 96)) // lost / (lost + received)
    expect(interval.jitterBufferDelayS).toBeCloseTo(5.6 / 96_000, 12)
    expect(interval.concealmentRatio).toBe(960 / 96_000)
  })

  it('a counter reset (reconnect, renegotiation) gives no interval rather than a negative or huge one', async () => {
    const frame = structuredClone(frames[10]!)
    // The stream's counters restarted since the previous snapshot: they are now below it.
    const report = inboundAudio(frame)
    report['packetsReceived'] = 3
    report['bytesReceived'] = 300
    const row = await inboundAudioRow(frame)
    expect(row['interval_state']).toBe('reset')
    expect(row['interval_bitrate_bps']).toBeNull()
    expect(row['interval_loss_fraction']).toBeNull()
    // the cumulative counters are still stored, so SQL can start again from here
    expect(row['packets_received']).toBe(3)
    // and the interval after it is computed from the restarted counters
    const next = structuredClone(frames[11]!)
    next.previous = intervalSnapshot(frame.reports)
    inboundAudio(next)['packetsReceived'] = 53
    inboundAudio(next)['bytesReceived'] = 5300
    const after = await inboundAudioRow(next)
    expect(after['interval_state']).toBe('ok')
    expect(after['interval_packet_rate']).toBeCloseTo(50 / ((inboundAudio(next).timestamp - report.timestamp) / 1000), 6)
  })

  it('redelivered and reordered frames give the very same interval rows (each from its own predecessor)', async () => {
    const inOrder = []
    for (const frame of frames) inOrder.push(await inboundAudioRow(frame).catch(() => undefined))
    const reversed = []
    for (const frame of [...frames].reverse()) reversed.unshift(await inboundAudioRow(frame).catch(() => undefined))
    const redelivered = []
    for (const frame of frames) {
      await mapFrame(frame)
      redelivered.push(await inboundAudioRow(frame).catch(() => undefined))
    }
    const computed = inOrder.filter((r) => r?.['interval_state'] === 'ok')
    expect(computed.length).toBeGreaterThan(20)
    expect(reversed).toEqual(inOrder)
    expect(redelivered).toEqual(inOrder)
  })

  it('a gap widens the interval: a skipped snapshot makes one interval twice as long, with the same rate', async () => {
    const normal = await inboundAudioRow(frames[12]!)
    const widened = structuredClone(frames[12]!)
    widened.previous = intervalSnapshot(frames[10]!.reports)
    const row = await inboundAudioRow(widened)
    expect(row['interval_ms']).toBeCloseTo(2 * (normal['interval_ms'] as number), -2)
    expect(row['interval_packet_rate']).toBeCloseTo(normal['interval_packet_rate'] as number, -1)
    const expectedPackets = (inboundAudio(frames[12]!)['packetsReceived'] as number) - (inboundAudio(frames[10]!)['packetsReceived'] as number)
    expect((row['interval_packet_rate'] as number) * ((row['interval_ms'] as number) / 1000)).toBeCloseTo(expectedPackets, 6)
  })

  it('says why no interval was computed: first snapshot, none sent, or a predecessor that is not earlier', async () => {
    expect((await inboundAudioRow({ ...frames[5]!, previous: [] }))['interval_state']).toBe('first')
    const { previous: _dropped, ...withoutPrevious } = frames[5]!
    expect((await inboundAudioRow(withoutPrevious))['interval_state']).toBe('none')
    const later = structuredClone(frames[5]!)
    later.previous = intervalSnapshot(frames[6]!.reports)
    expect((await inboundAudioRow(later))['interval_state']).toBe('invalid')
  })
})
