// Unit: the E-model MOS estimate. Expected values are worked by hand from the ITU-T G.107
// formulas and the G.113 / chosen codec constants, with the arithmetic in the comments; the
// code under test is only ever compared with those hand-worked numbers.
import { describe, expect, it } from 'vitest'
import {
  codecNameFromStats,
  codecProfiles,
  delayImpairment,
  estimateMos,
  fromMilliseconds,
  mosFromR,
  seconds,
  type CodecName,
  type EModelInput,
  type MosEstimate,
} from '../../processor/quality/e-model.ts'

const codecs: CodecName[] = ['opus', 'opus-fec', 'g711', 'g711-plc']

function mos(estimate: MosEstimate): number {
  if (!estimate.computable) throw new Error(`not computable: ${estimate.reason} (${estimate.field})`)
  return estimate.mos
}

function input(overrides: Partial<EModelInput> = {}): EModelInput {
  return { codec: 'opus', rttSeconds: seconds(0), jitterBufferDelaySeconds: seconds(0.001), loss: { lossFraction: 0 }, ...overrides }
}

describe('worked values', () => {
  it('RTT 0, jitter buffer 1 ms, no loss gives about 4.4 for every codec', () => {
    // Ta = 0/2 + 1 ms + codec delay (26.5 ms Opus, 20 ms G.711) <= 100 ms, so Idd = 0.
    // Ppl = 0, so Ie,eff = Ie = 0. R = 93.2 - 0 - 0 = 93.2.
    // MOS = 1 + 0.035 * 93.2 + 93.2 * (93.2 - 60) * (100 - 93.2) * 7e-6
    //     = 1 + 3.262 + 93.2 * 33.2 * 6.8 * 7e-6
    //     = 1 + 3.262 + 21040.832 * 7e-6 = 1 + 3.262 + 0.147285824 = 4.409285824
    for (const codec of codecs) {
      const estimate = estimateMos(input({ codec }))
      expect(estimate).toMatchObject({ computable: true, r: 93.2, id: 0, ieEff: 0 })
      expect(mos(estimate)).toBeCloseTo(4.409285824, 9)
    }
  })

  it('one-way delay above 100 ms: Idd step by step', () => {
    // Opus, RTT 300 ms, jitter buffer 43.5 ms, no loss.
    // Ta = 300/2 + 43.5 + 26.5 = 150 + 43.5 + 26.5 = 220 ms
    // X = lg(220/100) / lg 2 = log2(2.2) = 1.1375035
    // X^6 = 2.1662895; (1 + X^6)^(1/6) = 3.1662895^(1/6) = 1.2117837
    // X/3 = 0.3791678; (X/3)^6 = 0.0029716; (1 + 0.0029716)^(1/6) = 1.0004947
    // Idd = 25 * (1.2117837 - 3 * 1.0004947 + 2) = 25 * (1.2117837 - 3.0014840 + 2)
    //     = 25 * 0.2102997 = 5.2574934
    // R = 93.2 - 5.2574934 - 0 = 87.9425066
    // MOS = 1 + 0.035 * 87.9425066 + 87.9425066 * 27.9425066 * 12.0574934 * 7e-6
    //     = 1 + 3.0779877 + 29629.289 * 7e-6 = 1 + 3.0779877 + 0.2074050 = 4.2853928
    const estimate = estimateMos(input({ rttSeconds: seconds(0.3), jitterBufferDelaySeconds: seconds(0.0435) }))
    expect(estimate.computable && estimate.oneWayDelaySeconds).toBeCloseTo(0.22, 12)
    expect(estimate.computable && estimate.id).toBeCloseTo(5.2574934, 6)
    expect(estimate.computable && estimate.r).toBeCloseTo(87.9425066, 6)
    expect(mos(estimate)).toBeCloseTo(4.2853928, 6)
  })

  it('Idd is 0 up to 100 ms and 25 * (65^(1/6) - 3 * (1 + (2/3)^6)^(1/6) + 2) at 400 ms', () => {
    expect(delayImpairment(seconds(0.1))).toBe(0)
    // Ta = 400: X = log2(4) = 2; (1 + 2^6)^(1/6) = 65^(1/6) = 2.0051747; (2/3)^6 = 64/729
    // = 0.0877915; 1.0877915^(1/6) = 1.0141237; Idd = 25 * (2.0051747 - 3.0423712 + 2)
    // = 25 * 0.9628035 = 24.0700892
    expect(delayImpairment(seconds(0.4))).toBeCloseTo(24.0700892, 6)
  })

  it('loss: Ie,eff step by step, Opus without FEC at 2 % random loss', () => {
    // RTT 100 ms, jitter buffer 20 ms: Ta = 50 + 20 + 26.5 = 96.5 ms <= 100, Idd = 0.
    // Ppl = 0.02 * 100 = 2 %, BurstR = 1, Ie = 0, Bpl = 10:
    // Ie,eff = 0 + (95 - 0) * 2 / (2/1 + 10) = 190 / 12 = 15.8333333
    // R = 93.2 - 0 - 15.8333333 = 77.3666667
    // MOS = 1 + 0.035 * 77.3666667 + 77.3666667 * 17.3666667 * 22.6333333 * 7e-6
    //     = 1 + 2.7078333 + 0.2128712 = 3.9207045
    const estimate = estimateMos(input({ rttSeconds: seconds(0.1), jitterBufferDelaySeconds: seconds(0.02), loss: { lossFraction: 0.02 } }))
    expect(estimate).toMatchObject({ computable: true, id: 0, lossPercent: 2 })
    expect(estimate.computable && estimate.ieEff).toBeCloseTo(15.8333333, 6)
    expect(mos(estimate)).toBeCloseTo(3.9207045, 6)
  })

  it('loss: the G.113 Bpl of G.711 with and without PLC', () => {
    // Ppl 2 %: with PLC (Bpl 25.1) Ie,eff = 95 * 2 / (2 + 25.1) = 190 / 27.1 = 7.0110701
    //          without (Bpl 4.3)   Ie,eff = 95 * 2 / (2 + 4.3)  = 190 / 6.3  = 30.1587302
    const withPlc = estimateMos(input({ codec: 'g711-plc', loss: { lossFraction: 0.02 } }))
    const without = estimateMos(input({ codec: 'g711', loss: { lossFraction: 0.02 } }))
    expect(withPlc.computable && withPlc.ieEff).toBeCloseTo(7.0110701, 6)
    expect(without.computable && without.ieEff).toBeCloseTo(30.1587302, 6)
    // R = 93.2 - 30.1587302 = 63.0412698; MOS = 1 + 2.2064444 + 63.0412698 * 3.0412698
    //     * 36.9587302 * 7e-6 = 1 + 2.2064444 + 0.0496015 = 3.2560460
    expect(mos(without)).toBeCloseTo(3.256046, 6)
  })

  it('bursty loss: BurstR 2 halves Ppl in the denominator', () => {
    // Opus, Ppl 2 %, BurstR 2: Ie,eff = 95 * 2 / (2/2 + 10) = 190 / 11 = 17.2727273
    const estimate = estimateMos(input({ loss: { lossFraction: 0.02 }, burstRatio: 2 }))
    expect(estimate.computable && estimate.ieEff).toBeCloseTo(17.2727273, 6)
  })

  it('MOS from R: the clamps and the ends of the scale', () => {
    expect(mosFromR(-5)).toBe(1)
    expect(mosFromR(0)).toBe(1)
    // R = 3: 1 + 0.105 + 3 * (-57) * 97 * 7e-6 = 1.105 - 0.116109 = 0.988891, clamped to 1
    expect(mosFromR(3)).toBe(1)
    // R = 100: 1 + 3.5 + 0 = 4.5; above 100 the scale stops at 4.5
    expect(mosFromR(100)).toBeCloseTo(4.5, 12)
    expect(mosFromR(120)).toBe(4.5)
    // R = 70 (G.109 "some users dissatisfied" boundary): 1 + 2.45 + 70 * 10 * 30 * 7e-6 = 3.597
    expect(mosFromR(70)).toBeCloseTo(3.597, 9)
  })
})

describe('monotonic', () => {
  const delays = Array.from({ length: 41 }, (_, i) => i * 0.025) // RTT 0 to 1 s
  const losses = Array.from({ length: 51 }, (_, i) => i * 0.01) // 0 to 50 %

  it('MOS never rises as RTT grows, at any loss, for any codec', () => {
    for (const codec of codecs) {
      for (const lossFraction of [0, 0.01, 0.05, 0.2]) {
        const values = delays.map((rtt) => mos(estimateMos(input({ codec, rttSeconds: seconds(rtt), loss: { lossFraction } }))))
        for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]!)
        expect(values.at(-1)).toBeLessThan(values[0]!)
      }
    }
  })

  it('MOS never rises as loss grows, at any delay, for any codec', () => {
    for (const codec of codecs) {
      for (const rtt of [0, 0.2, 0.5]) {
        const values = losses.map((lossFraction) => mos(estimateMos(input({ codec, rttSeconds: seconds(rtt), loss: { lossFraction } }))))
        for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]!)
        expect(values.at(-1)).toBeLessThan(values[0]!)
      }
    }
  })

  it('MOS never rises as the jitter-buffer delay grows', () => {
    const values = delays.map((buffer) => mos(estimateMos(input({ jitterBufferDelaySeconds: seconds(buffer) }))))
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]!)
  })
})

describe('the same loss costs more without FEC or PLC', () => {
  it('at every loss from 0.5 % to 30 %', () => {
    for (let percent = 0.5; percent <= 30; percent += 0.5) {
      const at = (codec: CodecName) => mos(estimateMos(input({ codec, loss: { lossFraction: percent / 100 } })))
      expect(at('opus')).toBeLessThan(at('opus-fec'))
      expect(at('g711')).toBeLessThan(at('g711-plc'))
    }
  })

  it('and nothing differs when nothing is lost', () => {
    const at = (codec: CodecName) => mos(estimateMos(input({ codec })))
    expect(at('opus')).toBe(at('opus-fec'))
    expect(at('g711')).toBe(at('g711-plc'))
  })
})

describe('units', () => {
  it('a bare number does not type-check where seconds are expected', () => {
    // @ts-expect-error 150 is not Seconds: a millisecond value has to say what it is
    const estimate = estimateMos(input({ rttSeconds: 150 }))
    // and at run time 150 "seconds" is implausible, so it is refused, not scored
    expect(estimate).toEqual({ computable: false, reason: 'out-of-range', field: 'rttSeconds' })
  })

  it('milliseconds said as milliseconds give the same MOS as seconds', () => {
    const fromSeconds = estimateMos(input({ rttSeconds: seconds(0.3), jitterBufferDelaySeconds: seconds(0.0435) }))
    const fromMs = estimateMos(input({ rttSeconds: fromMilliseconds(300), jitterBufferDelaySeconds: fromMilliseconds(43.5) }))
    expect(mos(fromMs)).toBeCloseTo(mos(fromSeconds), 12)
  })

  it('milliseconds wrapped as seconds by mistake are refused', () => {
    expect(estimateMos(input({ jitterBufferDelaySeconds: seconds(40) }))).toEqual({ computable: false, reason: 'out-of-range', field: 'jitterBufferDelaySeconds' })
  })

  it('loss as counts and as a 0..1 fraction agree', () => {
    // 3 lost, 97 received: 3 / (3 + 97) = 0.03, Ppl 3 %
    const counts = estimateMos(input({ loss: { packetsLost: 3, packetsReceived: 97 } }))
    const fraction = estimateMos(input({ loss: { lossFraction: 0.03 } }))
    expect(counts.computable && counts.lossPercent).toBeCloseTo(3, 12)
    expect(mos(counts)).toBeCloseTo(mos(fraction), 12)
  })

  it('a percentage passed as the fraction is refused', () => {
    expect(estimateMos(input({ loss: { lossFraction: 3 } }))).toEqual({ computable: false, reason: 'out-of-range', field: 'lossFraction' })
  })

  it('a negative interval loss (duplicates, RFC 3550 6.4.1) counts as no loss', () => {
    expect(mos(estimateMos(input({ loss: { packetsLost: -2, packetsReceived: 50 } })))).toBe(mos(estimateMos(input())))
  })
})

describe('data that cannot be scored', () => {
  const cases: [string, Partial<EModelInput>, { reason: string; field: string }][] = [
    ['NaN RTT', { rttSeconds: seconds(Number.NaN) }, { reason: 'not-a-number', field: 'rttSeconds' }],
    ['infinite jitter buffer', { jitterBufferDelaySeconds: seconds(Infinity) }, { reason: 'not-a-number', field: 'jitterBufferDelaySeconds' }],
    ['negative RTT', { rttSeconds: seconds(-0.01) }, { reason: 'negative', field: 'rttSeconds' }],
    ['negative fraction', { loss: { lossFraction: -0.1 } }, { reason: 'negative', field: 'lossFraction' }],
    ['NaN lost', { loss: { packetsLost: Number.NaN, packetsReceived: 10 } }, { reason: 'not-a-number', field: 'packetsLost' }],
    ['negative received', { loss: { packetsLost: 0, packetsReceived: -1 } }, { reason: 'negative', field: 'packetsReceived' }],
    ['no packets at all', { loss: { packetsLost: 0, packetsReceived: 0 } }, { reason: 'no-packets', field: 'packetsReceived' }],
    ['zero burst ratio', { burstRatio: 0 }, { reason: 'out-of-range', field: 'burstRatio' }],
    ['unknown codec', { codec: 'g729' as CodecName }, { reason: 'out-of-range', field: 'codec' }],
    ['custom profile with NaN Ie', { codec: { ...codecProfiles.opus, ie: Number.NaN } }, { reason: 'not-a-number', field: 'codec.ie' }],
    ['custom profile with Bpl 0', { codec: { ...codecProfiles.opus, bpl: 0 } }, { reason: 'out-of-range', field: 'codec.bpl' }],
  ]
  for (const [name, overrides, expected] of cases) {
    it(`${name}: not computable, no throw`, () => {
      expect(estimateMos(input(overrides))).toEqual({ computable: false, ...expected })
    })
  }
})

describe('a custom codec profile', () => {
  it('uses its own Ie and Bpl', () => {
    // Ie 10, Bpl 20, Ppl 5 %: Ie,eff = 10 + (95 - 10) * 5 / (5 + 20) = 10 + 425 / 25 = 27
    const estimate = estimateMos(input({ codec: { ie: 10, bpl: 20, codecDelaySeconds: 0.02, source: 'test' }, loss: { lossFraction: 0.05 } }))
    expect(estimate.computable && estimate.ieEff).toBeCloseTo(27, 12)
  })
})

describe('codec from a WebRTC codec report', () => {
  it('reads Opus FEC from the fmtp line and maps G.711 to its PLC profile', () => {
    expect(codecNameFromStats('audio/opus', 'minptime=10;useinbandfec=1')).toBe('opus-fec')
    expect(codecNameFromStats('audio/opus', 'minptime=10;useinbandfec=0')).toBe('opus')
    expect(codecNameFromStats('audio/opus')).toBe('opus')
    expect(codecNameFromStats('audio/PCMU')).toBe('g711-plc')
    expect(codecNameFromStats('audio/G722')).toBeUndefined()
    expect(codecProfiles['g711-plc'].bpl).toBe(25.1)
  })
})
