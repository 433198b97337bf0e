// The quality columns of real Chromium captures: per-interval values computed from each
// frame and its `previous`, the media-source / media-playout / transport columns, and the
// degraded capture's impairments (SUMMARY.md in test/fixtures/webrtc) visible where an
// analyst looks for them.
import { describe, expect, it } from 'vitest'
import { captureNames, loadCapture } from '../support/captures.ts'
import { peerRows, streamRows, values } from '../support/mapped-captures.ts'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

describe('per-interval values from real captures', () => {
  for (const name of captureNames()) {
    it(`${name}: every rtp stream after its first snapshot has an interval with bitrate > 0 in both directions`, async () => {
      const capture = loadCapture(name)
      for (const peer of capture.peers) {
        const { rtp, pairs } = await peerRows(capture, peer.peerId)
        for (const type of ['inbound-rtp', 'outbound-rtp']) {
          const audio = streamRows(rtp, type, 'audio')
          expect(audio.length, `${peer.peerId} ${type}`).toBeGreaterThan(10)
          expect(audio[0]!['interval_state']).toBe('first')
          expect(audio.slice(1).every((r) => r['interval_state'] === 'ok')).toBe(true)
          // Opus at ~30-60 kbit/s in Chromium's loopback
          expect(median(values(audio, 'interval_bitrate_bps'))).toBeGreaterThan(10_000)
          expect(median(values(audio, 'interval_packet_rate'))).toBeGreaterThan(40)
        }
        const inboundAudio = streamRows(rtp, 'inbound-rtp', 'audio')
        expect(values(inboundAudio, 'interval_loss_fraction').every((v) => v >= 0 && v <= 1)).toBe(true)
        expect(values(inboundAudio, 'interval_jitter_buffer_delay').length).toBeGreaterThan(5)
        expect(values(inboundAudio, 'interval_jitter_buffer_delay').every((v) => v > 0 && v < 1)).toBe(true)
        // No loss and loopback delay: the E-model gives the narrowband ceiling, about 4.4 (e-model.test.ts).
        const mos = values(inboundAudio, 'mos')
        expect(mos.length).toBeGreaterThan(inboundAudio.length / 2)
        expect(mos.every((v) => v > 4.2 && v <= 4.5)).toBe(true)
        expect(values(inboundAudio, 'connection_rtt').every((v) => v >= 0 && v < 0.1)).toBe(true)
        expect(values(streamRows(rtp, 'inbound-rtp', 'video'), 'mos')).toEqual([])
        // media-playout joined to the received audio, media-source to the sent audio
        expect(values(inboundAudio, 'playout_total_samples_count').length).toBe(inboundAudio.length)
        expect(values(streamRows(rtp, 'outbound-rtp', 'audio'), 'source_total_audio_energy').length).toBeGreaterThan(0)
        // the transport names the selected pair; the only pair is it once ICE is connected
        expect(pairs.some((p) => p['selected'] === 1)).toBe(true)
        expect(pairs.filter((p) => p['selected'] === 1).every((p) => p['transport_dtls_state'] === 'connected')).toBe(true)
        expect(values(pairs, 'interval_receive_bitrate_bps').some((v) => v > 0)).toBe(true)
        expect(values(pairs, 'interval_send_bitrate_bps').some((v) => v > 0)).toBe(true)
        expect(values(pairs, 'consent_requests_sent').length).toBeGreaterThan(0)
        // RTCP RTT averaged over the interval's measurements
        const remoteAudio = streamRows(rtp, 'remote-inbound-rtp', 'audio').filter((r) => r['interval_state'] === 'ok')
        expect(values(remoteAudio, 'interval_average_rtt').every((v) => v >= 0 && v < 0.1)).toBe(true)
      }
    })
  }

  it('the degraded capture shows its bitrate cap, its freeze and its quality limitation; the clean one does not', async () => {
    const degraded = await peerRows(loadCapture('chromium-loopback-degraded.json'), 'caller')
    const clean = await peerRows(loadCapture('chromium-loopback-av.json'), 'caller')
    const sentVideo = (rows: typeof clean) => streamRows(rows.rtp, 'outbound-rtp', 'video')
    // Capped at 100 kbit/s from 6.5 s to 26.5 s: the median over the call falls well below the clean call's.
    const degradedRate = median(values(sentVideo(degraded), 'interval_bitrate_bps'))
    const cleanRate = median(values(sentVideo(clean), 'interval_bitrate_bps'))
    expect(degradedRate).toBeLessThan(cleanRate / 3)
    expect(values(sentVideo(degraded), 'interval_quality_limited_share').some((v) => v > 0.5)).toBe(true)
    expect(values(sentVideo(clean), 'interval_quality_limited_share').every((v) => v === 0)).toBe(true)
    // The caller received the callee's video with one freeze of ~3.1 s (SUMMARY.md).
    const receivedVideo = streamRows(degraded.rtp, 'inbound-rtp', 'video')
    const freezeSeconds = values(receivedVideo, 'interval_freeze_duration').reduce((a, b) => a + b, 0)
    expect(freezeSeconds).toBeCloseTo(3.094, 2)
    expect(values(receivedVideo, 'interval_freeze_count').reduce((a, b) => a + b, 0)).toBe(1)
    const cleanFreezes = values(streamRows(clean.rtp, 'inbound-rtp', 'video'), 'interval_freeze_duration')
    expect(cleanFreezes.length).toBeGreaterThan(10)
    expect(cleanFreezes.every((v) => v === 0)).toBe(true)
  })

  it('audible concealment shows when the caller stops sending audio (callee side, 15.5 s); the silence after it does not', async () => {
    const { rtp } = await peerRows(loadCapture('chromium-loopback-degraded.json'), 'callee')
    const audio = streamRows(rtp, 'inbound-rtp', 'audio')
    const ratios = values(audio, 'interval_concealment_ratio')
    // SUMMARY.md: concealedSamples 1 618 -> 144 459, of which 133 705 silent: ~9 100 audible samples.
    expect(Math.max(...ratios)).toBeGreaterThan(0.1)
    expect(median(ratios)).toBeLessThan(0.01)
    const audible = audio.reduce((sum, r) => sum + (r['interval_concealment_ratio'] as number ?? 0) * ((r['interval_ms'] as number ?? 0) / 1000) * 48_000, 0)
    expect(audible).toBeGreaterThan(5_000)
    expect(audible).toBeLessThan(15_000)
  })

  it('keeps the encoder and decoder implementation out (fingerprinting), though the capture has them', async () => {
    const capture = loadCapture('chromium-loopback-av.json')
    expect(JSON.stringify(capture)).toMatch(/encoderImplementation/)
    const { rtp } = await peerRows(capture, 'caller')
    expect(JSON.stringify(rtp)).not.toMatch(/libvpx|libopus|encoderImplementation|decoderImplementation|ExternalDecoder/)
  })
})
