// Fuzzing what ingest runs on every frame it receives: the first frame's decode and hello
// validation (decodeFrame + validateClientFrame), and each later frame's envelope check
// (checkFrameEnvelope), msgpack and JSON, on random values, random bytes and mutated real
// frames (test/support/fuzz-frames.ts). Nothing throws; a refusal is a typed value (malformed
// or a schema problem, which ingest answers as CALLMASK_ERR_MALFORMED or CALLMASK_ERR_SCHEMA)
// whose message comes from the closed set below and quotes no value of the frame; an
// acceptance is a well-formed envelope, and the envelope check agrees with the full check.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkFrameEnvelope, checkFrameInFull, type EnvelopeCheck } from '../lib/frame-envelope-check.ts'
import { decodeFrame, MalformedFrameError } from '../lib/wire-codec.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'
import { echoedSecrets, encodeValue, fuzzParameters, mutatedFrame, randomInput, realFrames, type FuzzCase } from './support/fuzz-frames.ts'
import { malformedMessage, schemaMessage } from './support/fuzz-outcomes.ts'

const frames = realFrames(1_767_225_600_000)

function expectTypedCheck(check: EnvelopeCheck, input: FuzzCase): void {
  if (check.ok) {
    expect(['hello', 'stats', 'event']).toContain(check.type)
    expect(Object.keys(check).sort()).toEqual(['ok', 'seq', 'ts', 'type'])
    if (check.type === 'hello') expect(check).toEqual({ ok: true, type: 'hello', seq: 0, ts: 0 })
    else {
      expect(Number.isSafeInteger(check.seq) && check.seq >= 1).toBe(true)
      expect(Number.isFinite(check.ts) && check.ts >= 0).toBe(true)
    }
    return
  }
  expect(typeof check.malformed).toBe('boolean')
  expect(typeof check.message).toBe('string')
  expect(check.message).toMatch(check.malformed ? malformedMessage : schemaMessage)
  // An error frame's seq: absent, or one a client could have sent (errorFrameSchema: integer >= 0).
  if (check.seq !== undefined) expect(Number.isSafeInteger(check.seq) && check.seq >= 1).toBe(true)
  expect(echoedSecrets(check.message, input)).toEqual([])
}

/** The envelope check and the full decode + validation (what ingest did before) on one input. */
function expectEnvelopeCheckAgrees(input: FuzzCase): void {
  let envelope: EnvelopeCheck | undefined
  let full: EnvelopeCheck | undefined
  expect(() => (envelope = checkFrameEnvelope(input.bytes, input.encoding))).not.toThrow()
  expect(() => (full = checkFrameInFull(input.bytes, input.encoding))).not.toThrow()
  expectTypedCheck(envelope!, input)
  expectTypedCheck(full!, input)
  // The envelope check only leaves the reports' contents out: it accepts all the full check does.
  if (full!.ok) expect(envelope).toEqual(full)
  if (!envelope!.ok) expect(full!.ok).toBe(false)
  // Both read the bytes with the same walk and decoder: malformed for one is malformed for both.
  expect(!envelope!.ok && envelope!.malformed).toBe(!full!.ok && full!.malformed)
}

/** What ingest does with a first frame: decode (MalformedFrameError only), then validate as a hello. */
function expectTypedFirstFrame(input: FuzzCase): void {
  let decoded: unknown
  try {
    decoded = decodeFrame(input.bytes, input.encoding)
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedFrameError)
    expect((error as Error).message).toMatch(malformedMessage)
    return
  }
  const result = validateClientFrame(decoded)
  if (result.ok) {
    expect(['hello', 'stats', 'event']).toContain(result.frame.type)
    return
  }
  expect(result.field).toMatch(/^\//)
  expect(result.message).toMatch(schemaMessage)
  expect(echoedSecrets(result.message, input)).toEqual([])
}

describe('fuzzing ingest: envelope check and first-frame decode', () => {
  it('the real frames are accepted as they are, in both encodings (the mutations start from valid frames)', () => {
    for (const frame of frames.all) {
      for (const encoding of ['msgpack', 'json'] as const) {
        expect(checkFrameEnvelope(encodeValue(frame, encoding), encoding)).toMatchObject({ ok: true, type: frame['type'] })
      }
    }
    expect(frames.stats.length).toBeGreaterThan(10)
  })

  it('random JSON-like values and random bytes: typed outcomes, the envelope check agrees with the full check', () => {
    fc.assert(fc.property(randomInput, (input) => expectEnvelopeCheckAgrees(input)), fuzzParameters(1500))
  })

  it('mutated real data frames: typed outcomes, the envelope check agrees with the full check', () => {
    let refused = 0
    let accepted = 0
    fc.assert(
      fc.property(mutatedFrame([...frames.stats, ...frames.events]), (input) => {
        expectEnvelopeCheckAgrees(input)
        if (checkFrameEnvelope(input.bytes, input.encoding).ok) accepted++
        else refused++
      }),
      fuzzParameters(1500),
    )
    // The mutations reached both outcomes, so both were checked.
    expect(refused).toBeGreaterThan(0)
    expect(accepted).toBeGreaterThan(0)
  })

  it('mutated hellos and random first frames (ingest decodes at most 2048 bytes before a hello): typed outcomes', () => {
    const firstFrames = fc.oneof(mutatedFrame(frames.hellos, { maxBytes: 2048 }), randomInput, mutatedFrame(frames.stats, { maxBytes: 2048 }))
    fc.assert(fc.property(firstFrames, (input) => {
      expectTypedFirstFrame(input)
      expectEnvelopeCheckAgrees(input)
    }), fuzzParameters(1500))
  })
})
