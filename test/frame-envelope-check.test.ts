import fc from 'fast-check'
import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { buildSessionFrames } from '../bench/bench-frames.ts'
import { checkFrameEnvelope, checkFrameInFull } from '../lib/frame-envelope-check.ts'

const packr = new Packr({ useRecords: false })
const call = { conferenceId: 'room-1', participantId: 'p-1', peerConnectionId: 'pc-1' }
const stats = (fields: Record<string, unknown>) => ({ type: 'stats', seq: 7, ts: 1_700_000_000_000, call, reports: [], ...fields })
const check = (frame: unknown) => checkFrameEnvelope(packr.pack(frame), 'msgpack')

describe('ingest envelope check (msgpack without decoding the reports)', () => {
  it('accepts what the full check accepts: real capture frames', () => {
    const frames = buildSessionFrames(0)
    for (let seq = 1; seq <= frames.templates.length; seq++) {
      const bytes = frames.frame(seq, 1_700_000_000_000 + seq)
      expect(checkFrameInFull(bytes, 'msgpack')).toMatchObject({ ok: true })
      expect(checkFrameEnvelope(bytes, 'msgpack')).toEqual({ ok: true, type: 'stats', seq, ts: 1_700_000_000_000 + seq })
    }
  })

  it('names the same envelope field the full check names', () => {
    const bad = [
      stats({ seq: 0 }),
      stats({ seq: 'x' }),
      stats({ ts: -1 }),
      stats({ call: { conferenceId: 'r', peerConnectionId: 'p' } }),
      stats({ call: { ...call, displayName: 'x'.repeat(300) } }),
      stats({ reports: 'not a list' }),
      stats({ reports: new Array(257).fill({ id: 'a', type: 'codec', timestamp: 1 }) }),
      stats({ previous: { a: 1 } }),
      { ...stats({}), ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`extra${i}`, i])) },
      { type: 'stats' },
      { type: 'nope', seq: 1 },
      [1, 2, 3],
      'a string',
      { type: 'event', seq: 1, ts: 1_700_000_000_000, call, name: 'not-an-event' },
    ]
    for (const frame of bad) {
      const envelope = check(frame)
      const full = checkFrameInFull(packr.pack(frame), 'msgpack')
      expect(envelope.ok, JSON.stringify(frame).slice(0, 80)).toBe(false)
      expect(full.ok).toBe(false)
      if (!envelope.ok && !full.ok) expect(envelope.message.split(' ')[0]).toBe(full.message.split(' ')[0])
    }
  })

  it('leaves the reports to the processor, and reads the seq of a refused frame', () => {
    expect(check(stats({ reports: [{ id: 'x', type: 42, timestamp: 1 }] }))).toMatchObject({ ok: true, seq: 7 })
    expect(checkFrameInFull(packr.pack(stats({ reports: [{ id: 'x', type: 42, timestamp: 1 }] })), 'msgpack')).toMatchObject({ ok: false, seq: 7 })
    expect(check(stats({ ts: 'soon' }))).toMatchObject({ ok: false, malformed: false, seq: 7 })
  })

  it('a __proto__ key stays a plain field and cannot supply the envelope', () => {
    // Hand-written map: {"__proto__": {type, seq, ts, call, reports}}
    const inner = packr.pack(stats({}))
    const key = packr.pack('__proto__')
    const bytes = Buffer.concat([Buffer.from([0x81]), key, inner])
    expect(checkFrameEnvelope(bytes, 'msgpack')).toMatchObject({ ok: false })
  })

  it('refuses what is not one admissible msgpack value as malformed, before decoding', () => {
    expect(checkFrameEnvelope(Uint8Array.from([0x85, 0xa4]), 'msgpack')).toMatchObject({ ok: false, malformed: true })
    expect(checkFrameEnvelope(Buffer.concat([packr.pack(stats({})), Buffer.from([0xc0])]), 'msgpack')).toMatchObject({ ok: false, malformed: true })
    expect(checkFrameEnvelope(Uint8Array.from([0x81, 0xa1, 0x61, 0xd4, 0x01, 0x00]), 'msgpack')).toMatchObject({ ok: false, malformed: true })
  })

  it('JSON frames are checked in full', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(stats({ reports: [{ id: 'x', type: 42, timestamp: 1 }] })))
    expect(checkFrameEnvelope(bytes, 'json')).toMatchObject({ ok: false, message: expect.stringContaining('/reports/0/type') })
    expect(checkFrameEnvelope(new TextEncoder().encode('{"type":'), 'json')).toMatchObject({ ok: false, malformed: true })
  })

  it('reads envelope values in place as msgpackr would: random type, seq, ts and keys, every integer and string width', () => {
    // Values around the encodings' edges (fixint, uint8/16/32, int8.., float32/64, fixstr,
    // str8, non-ASCII) and keys that may or may not be the envelope's; reports stay empty, so
    // the envelope check and the full check must agree exactly.
    const scalar = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
      fc.constantFrom(0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32, 2 ** 53 - 1, -1, -33, 1_700_000_000_000),
      fc.double(),
      fc.float().map((f) => ({ f32: f })),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('stats', 'stäts', 'event', 'hello', ''),
      fc.constant(null),
      fc.boolean(),
    )
    const f32 = new Packr({ useRecords: false, useFloat32: 1 })
    const frame = fc.record({ type: fc.oneof(fc.constant('stats'), scalar), seq: scalar, ts: scalar, extra: fc.dictionary(fc.string({ maxLength: 12 }), scalar, { maxKeys: 3 }) })
    fc.assert(fc.property(frame, ({ type, seq, ts, extra }) => {
      const plain = (v: unknown) => (typeof v === 'object' && v !== null && 'f32' in v ? (v as { f32: number }).f32 : v)
      const value = { ...extra, type: plain(type), seq: plain(seq), ts: plain(ts), call, reports: [] }
      const bytes = [type, seq, ts].some((v) => typeof v === 'object' && v !== null) ? f32.pack(value) : packr.pack(value)
      const envelope = checkFrameEnvelope(bytes, 'msgpack')
      const full = checkFrameInFull(bytes, 'msgpack')
      expect(envelope.ok).toBe(full.ok)
      if (envelope.ok && full.ok) expect(envelope).toEqual(full)
      else if (!envelope.ok && !full.ok) expect(envelope.message.split(' ')[0]).toBe(full.message.split(' ')[0])
    }), { seed: 1303, numRuns: 1000 })
  })
})
