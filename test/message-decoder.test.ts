// The processor's per-message work on real capture frames: lone surrogates are repaired in
// what the policy keeps (after it, so the rest of the frame is never walked) with the same
// rows as a frame that carried U+FFFD; and every row the mapper builds has exactly the
// columns its fixed row shape names (report-mapper.ts builds rows from one literal per table).
import { headers } from '@nats-io/nats-core'
import { describe, expect, it } from 'vitest'
import { buildSessionFrames } from '../bench/bench-frames.ts'
import { envelopeHeaderValues } from '../lib/frame-envelope.ts'
import { createPseudonymiser } from '../keyring/pseudonymiser.ts'
import { loadPolicy } from '../policy/load-policy.ts'
import { createMessageDecoder } from '../processor/message-decoder.ts'
import { connectionSampleColumns, rtpSampleColumns } from '../processor/report-mapper.ts'
import { staticKeys } from './support/static-keys.ts'

const policy = loadPolicy()
let repairedCount = 0
const decode = createMessageDecoder({ pseudonymiser: createPseudonymiser(staticKeys()), policy, retentionDays: 30, onRepairedStrings: (n) => (repairedCount += n) })

function message(data: Uint8Array | string, seq: number, encoding: 'json' | 'msgpack') {
  const h = headers()
  for (const [k, v] of Object.entries(envelopeHeaderValues({ tenant: 'acme', sessionId: 'session-1', seq, encoding, receivedAt: Date.now() }))) h.set(k, v)
  return { headers: h, data: typeof data === 'string' ? new TextEncoder().encode(data) : data }
}

const allStrings = (rows: Record<string, unknown>[]) => rows.flatMap((row) => Object.values(row).filter((v): v is string => typeof v === 'string'))

describe('processor message decoding', () => {
  it('repairs lone surrogates in what the policy keeps: the same rows as the frame written with U+FFFD', async () => {
    const frames = buildSessionFrames(0)
    const real = JSON.parse(JSON.stringify((await import('msgpackr')).unpack(frames.frame(3, Date.now())))) as Record<string, any>
    // Lone surrogates in every kind of kept field: detected, pseudonymised, a report id and a codec.
    real['call'] = { ...real['call'], conferenceId: 'standup-\ud800-room', participantId: 'anna\udfff@example.com', displayName: 'Anna \ud83d' }
    const report = real['reports'].find((r: { type: string }) => r.type === 'inbound-rtp')
    report.id = `${report.id}\udc00`
    report['mid\ud800'] = 'an unnamed key with a lone surrogate'
    const poisoned = JSON.stringify(real)
    const clean = poisoned.replace(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/g, '\\ufffd')
    expect(clean).not.toBe(poisoned)
    expect(poisoned).toContain('\\ud800')

    const before = repairedCount
    const repaired = await decode(message(poisoned, 3, 'json'))
    expect(repairedCount).toBeGreaterThan(before)
    const expected = await decode(message(clean, 3, 'json'))
    expect(repaired.rows).toEqual(expected.rows)
    const rows = [...repaired.rows.rtp_samples, ...repaired.rows.connection_samples]
    expect(rows.length).toBeGreaterThan(0)
    for (const text of allStrings(rows)) expect(text.isWellFormed()).toBe(true)
  })

  it('every row of real capture frames has exactly its table\'s fixed columns', async () => {
    let rtp = 0
    let pairs = 0
    for (let index = 0; index < 2; index++) {
      const frames = buildSessionFrames(index)
      for (let seq = 1; seq <= frames.templates.length; seq++) {
        const { rows } = await decode(message(frames.frame(seq, Date.now()), seq, 'msgpack'))
        for (const row of rows.rtp_samples) expect(Object.keys(row)).toEqual(rtpSampleColumns)
        for (const row of rows.connection_samples) expect(Object.keys(row)).toEqual(connectionSampleColumns)
        rtp += rows.rtp_samples.length
        pairs += rows.connection_samples.length
      }
    }
    // The frames exercised both tables.
    expect(rtp).toBeGreaterThan(50)
    expect(pairs).toBeGreaterThan(20)
  })
})
