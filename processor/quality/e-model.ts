// Estimated MOS of one audio interval from the ITU-T G.107 E-model (narrowband).
//
//   R      = 93.2 - Id - Ie,eff
//   Id     = Idd(Ta), Ta = RTT/2 + jitter-buffer delay + codec delay (one-way, mouth to ear)
//   Idd    = 0 for Ta <= 100 ms, else 25 {(1 + X^6)^(1/6) - 3 (1 + (X/3)^6)^(1/6) + 2},
//            X = lg(Ta/100) / lg 2
//   Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl), Ppl in percent
//   MOS    = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6, 1 for R < 0, 4.5 for R > 100
//
// Simplifications, each said once here and in docs/quality-model.md:
// - 93.2 is Ro - Is - Id(T = 0) + A with every other G.107 Table 3 default (SLR 8, RLR 2,
//   Ds 3, Nc -70 dBm0p, Ps = Pr 35 dB(A), TELR 65 dB, WEPL 110 dB, qdu 1, A 0): getStats
//   measures none of those, so they stay at their defaults.
// - Id = Idd only. Talker echo (Idte) and listener echo (Idle) stay at their T = 0 values,
//   which are already inside 93.2. Reasons: getStats reports no echo loss, WebRTC endpoints
//   run echo cancellation (the 65 dB TELR default already assumes good echo control), and
//   with the defaults both terms grow slowly: our arithmetic from G.107's Idte and Idle
//   formulas (T = Ta, Tr = 2T, STMR terms left out) gives Idte 2.8 and Idle 0.84 (0.15 at
//   T = 0) at 150 ms, so the estimate is optimistic by about 3.5 R points (about 0.1 MOS)
//   at that delay. The common closed form of Cole and Rosenbluth
//   (Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)) folds echo in at fixed values; we keep
//   the standard's Idd instead, so the delay term is exactly G.107's.
// - The narrowband scale cannot credit quality above G.711 (Ie >= 0 and G.711 has Ie 0), so
//   a wideband Opus stream scores like G.711 when nothing is lost. G.107.1 (wideband,
//   Ro 129) would separate them but has no Opus values either.
import type { Seconds } from './units.ts'

export type { Seconds } from './units.ts'
export { seconds, fromMilliseconds } from './units.ts'

/** R with every G.107 Table 3 default and no delay, loss or codec impairment. */
export const defaultR = 93.2

/** Equipment impairment (Ie), packet-loss robustness (Bpl) and one-way codec delay. */
export interface CodecProfile {
  readonly ie: number
  readonly bpl: number
  /** Packetisation plus algorithmic look-ahead, one way. */
  readonly codecDelaySeconds: number
  readonly source: string
}

export type CodecName = 'opus' | 'opus-fec' | 'g711' | 'g711-plc'

export const codecProfiles: Readonly<Record<CodecName, CodecProfile>> = Object.freeze({
  // Opus has no ITU-T Ie or Bpl (G.113 lists none; libopus's maintainer knows of no
  // study, xiph/opus#51). Ie 0: see the narrowband note above. Bpl 10 without in-band FEC
  // (the decoder's own PLC still conceals): the value of rtcscore (ggarber/rtcscore,
  // src/rtc_mos.js, `Bpl = fec ? 20 : 10`), and close to the instrumentally derived
  // random-loss Bpl of Alahmadi, Pocta and Melvin (ACM TOMM 17(4), art. 133, 2021,
  // doi:10.1145/3458751): 9.8 to 11.3 for super-wideband VBR at 25 to 40 kbit/s. Their Ie
  // values (10.7 at 40 kbit/s) are not used: read on this narrowband scale they would rank
  // Opus below G.711, so they belong to a wider-band scale. Delay: RFC 6716's default
  // 20 ms frame plus 6.5 ms look-ahead, 26.5 ms.
  'opus': { ie: 0, bpl: 10, codecDelaySeconds: 0.0265, source: 'chosen: rtcscore Bpl 10; Alahmadi et al. 2021 Bpl 9.8-11.3 (SWB, random loss)' },
  // In-band FEC (LBRR) rebuilds one lost 20 ms frame from the next packet at a lower rate.
  // No published Bpl exists; 20 is rtcscore's. Doubling Bpl about halves Ie,eff at low loss:
  // deliberately less credit than the p^2 residual loss of ideal single-loss recovery would
  // give, because the recovered frame is coded at a lower rate and encoders add LBRR only
  // while they expect loss.
  // FEC adds no delay at the sender; the receiver waits for the next packet only when one
  // is lost, which the jitter-buffer delay already reports.
  'opus-fec': { ie: 0, bpl: 20, codecDelaySeconds: 0.0265, source: 'chosen: rtcscore Bpl 20 (no standard value exists)' },
  // ITU-T G.113 Appendix I: G.711 Ie 0; Bpl 4.3 without PLC and 25.1 with the G.711
  // Appendix I PLC, random loss. Delay: the 20 ms ptime WebRTC uses for
  // PCMU/PCMA (G.711 itself has no look-ahead).
  'g711': { ie: 0, bpl: 4.3, codecDelaySeconds: 0.02, source: 'ITU-T G.113 Appendix I: Ie 0, Bpl 4.3 (no PLC)' },
  // WebRTC receivers (NetEq in libwebrtc) always conceal lost G.711 packets, so use this
  // profile for browsers and 'g711' only for endpoints known to play silence.
  'g711-plc': { ie: 0, bpl: 25.1, codecDelaySeconds: 0.02, source: 'ITU-T G.113 Appendix I: Ie 0, Bpl 25.1 (G.711 Appendix I PLC)' },
})

/**
 * The profile for a WebRTC `codec` report: `mimeType` ('audio/opus', 'audio/PCMU') and its
 * `sdpFmtpLine` (Opus FEC is on when it says `useinbandfec=1`). Undefined for other codecs.
 */
export function codecNameFromStats(mimeType: string, sdpFmtpLine = ''): CodecName | undefined {
  const type = mimeType.toLowerCase()
  if (type === 'audio/opus') return /(^|;)\s*useinbandfec=1\b/.test(sdpFmtpLine) ? 'opus-fec' : 'opus'
  if (type === 'audio/pcmu' || type === 'audio/pcma') return 'g711-plc'
  return undefined
}

/**
 * Loss of one interval, either as WebRTC reports it on remote-inbound-rtp (`fractionLost`,
 * 0..1) or as the interval's deltas of inbound-rtp `packetsLost` and `packetsReceived`.
 */
export type LossInput =
  | { readonly lossFraction: number }
  | { readonly packetsLost: number; readonly packetsReceived: number }

export interface EModelInput {
  readonly codec: CodecName | CodecProfile
  /** remote-inbound-rtp `roundTripTime` (or totalRoundTripTime / roundTripTimeMeasurements). */
  readonly rttSeconds: Seconds
  /** Interval delta of inbound-rtp `jitterBufferDelay` / delta of `jitterBufferEmittedCount`. */
  readonly jitterBufferDelaySeconds: Seconds
  readonly loss: LossInput
  /** G.107 BurstR: 1 for random loss (the default), above 1 for bursty loss. */
  readonly burstRatio?: number
}

export type NotComputableReason = 'not-a-number' | 'negative' | 'out-of-range' | 'no-packets'

export type MosEstimate =
  | {
      readonly computable: true
      readonly mos: number
      readonly r: number
      readonly id: number
      readonly ieEff: number
      readonly oneWayDelaySeconds: number
      readonly lossPercent: number
    }
  | { readonly computable: false; readonly reason: NotComputableReason; readonly field: string }

/**
 * Above this a "seconds" value is taken for milliseconds passed by mistake (or garbage):
 * no call survives a 10 s round trip, and NetEq's buffer is far shorter.
 */
export const maxPlausibleSeconds = 10

/** Idd of G.107 section 7.3 for a one-way mouth-to-ear delay. */
export function delayImpairment(oneWayDelay: Seconds): number {
  const ta = oneWayDelay * 1000 // the standard's formula is in milliseconds
  if (ta <= 100) return 0
  const x = Math.log10(ta / 100) / Math.log10(2)
  return 25 * (Math.pow(1 + x ** 6, 1 / 6) - 3 * Math.pow(1 + (x / 3) ** 6, 1 / 6) + 2)
}

/** Ie,eff of G.107 section 7.4; `lossPercent` is Ppl, 0..100. */
export function effectiveEquipmentImpairment(profile: Pick<CodecProfile, 'ie' | 'bpl'>, lossPercent: number, burstRatio = 1): number {
  if (lossPercent === 0) return profile.ie
  return profile.ie + ((95 - profile.ie) * lossPercent) / (lossPercent / burstRatio + profile.bpl)
}

/** G.107 Annex B: MOS (conversational, CQE) from R, clamped to [1, 4.5]. */
export function mosFromR(r: number): number {
  if (r < 0) return 1
  if (r > 100) return 4.5
  // The cubic dips just under 1 for 0 < R < 6.5; the clamp keeps MOS on its scale.
  return Math.min(4.5, Math.max(1, 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6))
}

type Checked = { ok: true; value: number } | { ok: false; reason: NotComputableReason; field: string }

function check(field: string, value: number, max = Infinity): Checked {
  if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, reason: 'not-a-number', field }
  if (value < 0) return { ok: false, reason: 'negative', field }
  if (value > max) return { ok: false, reason: 'out-of-range', field }
  return { ok: true, value }
}

function lossFractionOf(loss: LossInput): Checked {
  if ('lossFraction' in loss) return check('lossFraction', loss.lossFraction, 1)
  const received = check('packetsReceived', loss.packetsReceived)
  if (!received.ok) return received
  if (typeof loss.packetsLost !== 'number' || !Number.isFinite(loss.packetsLost)) return { ok: false, reason: 'not-a-number', field: 'packetsLost' }
  // RFC 3550 section 6.4.1: duplicates can make the interval's loss negative; the fraction
  // lost is then zero.
  const lost = Math.max(0, loss.packetsLost)
  const expected = lost + received.value
  if (expected === 0) return { ok: false, reason: 'no-packets', field: 'packetsReceived' }
  return { ok: true, value: lost / expected }
}

/** MOS of one audio interval; never throws on data, answers "not computable" instead. */
export function estimateMos(input: EModelInput): MosEstimate {
  const profile = typeof input.codec === 'string' ? codecProfiles[input.codec] : input.codec
  if (profile === undefined) return { computable: false, reason: 'out-of-range', field: 'codec' }
  for (const [field, value, max] of [['codec.ie', profile.ie, 95], ['codec.bpl', profile.bpl, Infinity], ['codec.codecDelaySeconds', profile.codecDelaySeconds, maxPlausibleSeconds]] as const) {
    const checked = check(field, value, max)
    if (!checked.ok) return { computable: false, reason: checked.reason, field }
  }
  if (profile.bpl === 0) return { computable: false, reason: 'out-of-range', field: 'codec.bpl' }
  const rtt = check('rttSeconds', input.rttSeconds, maxPlausibleSeconds)
  if (!rtt.ok) return { computable: false, reason: rtt.reason, field: rtt.field }
  const buffer = check('jitterBufferDelaySeconds', input.jitterBufferDelaySeconds, maxPlausibleSeconds)
  if (!buffer.ok) return { computable: false, reason: buffer.reason, field: buffer.field }
  const fraction = lossFractionOf(input.loss)
  if (!fraction.ok) return { computable: false, reason: fraction.reason, field: fraction.field }
  const burst = check('burstRatio', input.burstRatio ?? 1)
  if (!burst.ok) return { computable: false, reason: burst.reason, field: burst.field }
  if (burst.value === 0) return { computable: false, reason: 'out-of-range', field: 'burstRatio' }

  const oneWayDelaySeconds = rtt.value / 2 + buffer.value + profile.codecDelaySeconds
  const lossPercent = fraction.value * 100
  const id = delayImpairment(oneWayDelaySeconds as Seconds)
  const ieEff = effectiveEquipmentImpairment(profile, lossPercent, burst.value)
  const r = defaultR - id - ieEff
  return { computable: true, mos: mosFromR(r), r, id, ieEff, oneWayDelaySeconds, lossPercent }
}
