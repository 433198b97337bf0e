// Fuzzing the processor's per-message work (processor/message-decoder.ts: envelope headers,
// full decode, validation, time check, policy, string repair, mapping) on mutated real frames,
// random values and random bytes, with well-formed and broken envelope headers. A message
// either becomes rows, or is refused with a PermanentProcessingError (dead letter) whose
// reason comes from the closed set and quotes no value; any other error would be retried and
// logged with its raw message. Rows have their table's exact columns, only well-formed
// strings, finite numbers and nulls, and no raw e-mail of the call context.
import { headers } from '@nats-io/nats-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PermanentProcessingError } from '../lib/errors.ts'
import { envelopeHeaderValues, frameHeader, msgIdHeader } from '../lib/frame-envelope.ts'
import { createPseudonymiser } from '../keyring/pseudonymiser.ts'
import { loadPolicy } from '../policy/load-policy.ts'
import { createMessageDecoder, type DecodedMessage } from '../processor/message-decoder.ts'
import { createLiveIssueDetector } from '../processor/quality/live-issues.ts'
import { connectionSampleColumns, rtpSampleColumns, tableNames, type Row } from '../processor/report-mapper.ts'
import { echoedSecrets, encodeValue, fuzzParameters, mutatedFrame, randomInput, realFrames, type Encoding, type FuzzCase } from './support/fuzz-frames.ts'
import { unprocessableMessage } from './support/fuzz-outcomes.ts'
import { staticKeys } from './support/static-keys.ts'

const now = 1_767_225_600_000
const frames = realFrames(now)
const decode = createMessageDecoder({ pseudonymiser: createPseudonymiser(staticKeys()), policy: loadPolicy(), retentionDays: 30 })
// What the processor does next with a message's rows (processor/index.ts): one detector for all.
const liveIssues = createLiveIssueDetector({ maxStreams: 1000 })

interface Envelope {
  tenant: string
  sessionId: string
  seq: number
  encoding: Encoding
  receivedAt: number
}

function message(data: Uint8Array, envelope: Envelope, broken?: { msgId?: string; frame?: string }) {
  const h = headers()
  for (const [k, v] of Object.entries(envelopeHeaderValues(envelope))) h.set(k, v)
  if (broken?.msgId !== undefined) h.set(msgIdHeader, broken.msgId)
  if (broken?.frame !== undefined) h.set(frameHeader, broken.frame)
  return { headers: h, data }
}

/** Mostly the headers ingest writes (sometimes naming the other encoding), sometimes broken ones. */
const envelopeFields = fc.record({
  tenant: fc.oneof({ arbitrary: fc.constant('acme'), weight: 4 }, { arbitrary: fc.stringMatching(/^[a-z0-9-]{1,20}$/), weight: 1 }),
  sessionId: fc.oneof(fc.constant('fuzz-session-1'), fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes(':'))),
  seq: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constant(2 ** 53 - 1)),
  otherEncoding: fc.nat(6).map((n) => n === 0),
  receivedAt: fc.oneof({ arbitrary: fc.constant(now), weight: 6 }, { arbitrary: fc.integer({ min: 0, max: 2 * now }), weight: 1 }),
})
const brokenHeaders = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 8 },
  { arbitrary: fc.record({ msgId: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), frame: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }) }), weight: 1 },
)
// A record, not a chain: fast-check's chain made each case cost milliseconds here.
const messageCase = (inputs: fc.Arbitrary<FuzzCase>) =>
  fc.record({ input: inputs, fields: envelopeFields, broken: brokenHeaders }).map(({ input, fields: { otherEncoding, ...fields }, broken }) => {
    const encoding: Encoding = otherEncoding ? (input.encoding === 'json' ? 'msgpack' : 'json') : input.encoding
    return { input, envelope: { ...fields, encoding }, broken }
  })

const eventColumns = Object.keys((await decode(message(encodeValue(frames.events[0], 'msgpack'), { tenant: 'acme', sessionId: 's-1', seq: 1, encoding: 'msgpack', receivedAt: now }))).rows.call_events[0]!)
const columnsOf = { rtp_samples: rtpSampleColumns, connection_samples: connectionSampleColumns, call_events: eventColumns }

/** Only well-formed strings (never the raw e-mail of the call context), finite numbers and nulls. */
function expectStorableValues(row: Row): void {
  for (const [column, value] of Object.entries(row)) {
    if (typeof value === 'string') {
      expect(value.isWellFormed(), column).toBe(true)
      expect(value, column).not.toContain('anna.schmidt@example.com')
    } else if (value !== null) expect(Number.isFinite(value), `${column} = ${value}`).toBe(true)
  }
}

function expectWellFormedRows(decoded: DecodedMessage, envelope: Envelope): void {
  expect(decoded.source).toMatchObject({ tenant: envelope.tenant, seq: envelope.seq })
  expect(Object.keys(decoded.rows).sort()).toEqual([...tableNames].sort())
  expect(decoded.rows.stream_issues).toEqual([])
  for (const table of ['rtp_samples', 'connection_samples', 'call_events'] as const) {
    for (const row of decoded.rows[table]) {
      expect(Object.keys(row)).toEqual(columnsOf[table])
      expect(row['tenant']).toBe(envelope.tenant)
      expectStorableValues(row)
    }
  }
  for (const row of liveIssues.observe(decoded.rows)) {
    expect(row['tenant']).toBe(envelope.tenant)
    expectStorableValues(row)
  }
}

async function expectTypedDecode(input: FuzzCase, envelope: Envelope, broken: { msgId?: string; frame?: string } | undefined): Promise<'rows' | 'refused'> {
  let decoded: DecodedMessage
  try {
    decoded = await decode(message(input.bytes, envelope, broken))
  } catch (error) {
    expect(error).toBeInstanceOf(PermanentProcessingError)
    const { code, message: reason } = error as PermanentProcessingError
    expect(code).toBe('CALLMASK_ERR_UNPROCESSABLE')
    expect(reason).toMatch(unprocessableMessage)
    expect(echoedSecrets(reason, input)).toEqual([])
    return 'refused'
  }
  expectWellFormedRows(decoded, envelope)
  return 'rows'
}

describe('fuzzing the processor: decode, validate, apply the policy, map', () => {
  it('the real frames become rows as they are (the mutations start from valid frames)', async () => {
    let rows = 0
    for (const frame of [...frames.stats, ...frames.events]) {
      for (const encoding of ['msgpack', 'json'] as const) {
        const envelope: Envelope = { tenant: 'acme', sessionId: 'fuzz-session-1', seq: 1, encoding, receivedAt: now }
        const decoded = await decode(message(encodeValue(frame, encoding), envelope))
        expectWellFormedRows(decoded, envelope)
        rows += decoded.rows.rtp_samples.length + decoded.rows.connection_samples.length + decoded.rows.call_events.length
      }
    }
    expect(rows).toBeGreaterThan(200)
  })

  it('mutated real frames: rows or a typed dead-letter reason', async () => {
    const outcomes = { rows: 0, refused: 0 }
    await fc.assert(
      fc.asyncProperty(messageCase(mutatedFrame(frames.all)), async ({ input, envelope, broken }) => {
        outcomes[await expectTypedDecode(input, envelope, broken)]++
      }),
      fuzzParameters(1000, { async: true }),
    )
    expect(outcomes.rows).toBeGreaterThan(0)
    expect(outcomes.refused).toBeGreaterThan(0)
  })

  it('real frames with hostile values at their keys (they reach the policy and the mapper): rows or a typed dead-letter reason', async () => {
    const outcomes = { rows: 0, refused: 0 }
    await fc.assert(
      fc.asyncProperty(messageCase(mutatedFrame([...frames.stats, ...frames.events], { bytes: false })), async ({ input, envelope, broken }) => {
        outcomes[await expectTypedDecode(input, envelope, broken)]++
      }),
      fuzzParameters(1000, { async: true }),
    )
    expect(outcomes.rows).toBeGreaterThan(0)
  })

  it('random JSON-like values and random bytes: a typed dead-letter reason', async () => {
    await fc.assert(
      fc.asyncProperty(messageCase(randomInput), async ({ input, envelope, broken }) => {
        await expectTypedDecode(input, envelope, broken)
      }),
      fuzzParameters(1000, { async: true }),
    )
  })
})
