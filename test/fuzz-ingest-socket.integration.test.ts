// Mutated and random frames over real uWS sockets into a real ingest (nats-server, chdb, the
// processor behind it): each gets an ack or an error frame of the wire schema with a known
// code, the same refusal the envelope check gives in-process; no connection is closed for
// a data frame, the server keeps running, and a valid frame sent after them all is acked
// and stored. First frames (mutated hellos, random values) get an ack or a typed error and
// the documented close code. Cases come from test/support/fuzz-frames.ts with FUZZ_SEED;
// a failure names the seed and the case.
import { Ajv } from 'ajv'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { closeCodes, wireErrorCodes } from '../lib/errors.ts'
import { checkFrameEnvelope } from '../lib/frame-envelope-check.ts'
import { ackFrameSchema, errorFrameSchema } from '../schemas/frames.ts'
import { encodeValue, fuzzSeed, mutatedFrame, randomInput, realFrames, secretValues, type Encoding, type FuzzCase } from './support/fuzz-frames.ts'
import { timeMessage } from './support/fuzz-outcomes.ts'
import { rawHello, rawSession, type RawSession } from './support/raw-session.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const ajv = new Ajv({ strict: true })
const validError = ajv.compile(errorFrameSchema)
const validAck = ajv.compile(ackFrameSchema)
const knownCodes = new Set<string>(Object.values(wireErrorCodes))
// Resuming at the highest seq there is: every seq a frame carries is already settled, so a
// refusal never moves the ack watermark and each frame gets exactly one answer (an error, or
// the ack after its PubAck): the test can pair frames and answers one to one.
const watermark = 2 ** 53 - 1
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** As a client sends it: JSON as text when it is valid UTF-8 (else binary, which JSON allows), msgpack as binary. */
function send(session: RawSession, input: FuzzCase): void {
  if (input.encoding === 'msgpack') return session.sendRaw(Buffer.from(input.bytes))
  let text: string | undefined
  try {
    text = utf8.decode(input.bytes)
  } catch {
    text = undefined
  }
  session.sendRaw(text ?? Buffer.from(input.bytes))
}

const maxMessage = (message: string) => (message.length > 1024 ? `${message.slice(0, 1023)}…` : message)

/** The answer a data frame must get, from the same envelope check the server runs. */
function expectAnswerOf(input: FuzzCase, answer: Record<string, unknown>, where: string): void {
  const local = checkFrameEnvelope(input.bytes, input.encoding)
  if (answer['type'] === 'ack') {
    expect(validAck(answer), where).toBe(true)
    expect(answer['seq'], where).toBe(watermark)
    expect(local.ok && local.type !== 'hello', where).toBe(true)
    return
  }
  expect(validError(answer), `${where}: ${JSON.stringify(answer)}`).toBe(true)
  expect(knownCodes.has(answer['code'] as string), where).toBe(true)
  if (!local.ok) {
    expect(answer, where).toMatchObject({ code: local.malformed ? wireErrorCodes.malformed : wireErrorCodes.schema, message: maxMessage(local.message), retryable: false })
  } else if (local.type === 'hello') {
    expect(answer, where).toMatchObject({ code: wireErrorCodes.schema, message: '/type hello was already received on this session' })
  } else if (answer['retryable'] !== true) {
    // Accepted by the envelope check, refused for its time (or, retryable, JetStream was slow).
    expect(answer, where).toMatchObject({ code: wireErrorCodes.schema, seq: local.seq })
    expect(answer['message'], where).toMatch(timeMessage)
  }
}

describe('fuzzing ingest at the socket (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let url: string
  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({ framesPerSecondPerSession: 1000 })
    url = pipeline.ingest!.url
  })
  afterAll(async () => world?.close())

  it('200 mutated and random data frames each get an ack or a typed error; the connections stay open and a valid frame after them is stored', async () => {
    const now = Date.now()
    const frames = realFrames(now)
    const call = frames.events[0]!['call']
    // Types that named Object.prototype members crashed ingest's message handler (fuzz regression).
    const regressions: FuzzCase[] = (['msgpack', 'json'] as const).flatMap((encoding) =>
      ['__proto__', 'hasOwnProperty', 'toString'].map((type) => ({ encoding, bytes: encodeValue({ type, seq: 3, ts: now, call }, encoding) })),
    )
    const cases = [...regressions, ...fc.sample(fc.oneof({ arbitrary: mutatedFrame([...frames.stats, ...frames.events]), weight: 4 }, { arbitrary: randomInput, weight: 1 }), { seed: fuzzSeed, numRuns: 200 - regressions.length })]
    const sessions = {} as Record<Encoding, { session: RawSession; closed: boolean }>
    for (const encoding of ['msgpack', 'json'] as const) {
      const session = await rawSession(url, `callmask.v1.${encoding}`)
      session.send({ ...rawHello(testKey), lastAckedSeq: watermark })
      expect(await session.next('ack')).toEqual({ type: 'ack', seq: watermark })
      const entry = { session, closed: false }
      void session.closed.then(() => (entry.closed = true))
      sessions[encoding] = entry
    }

    const acceptedSeqs = new Set<number>()
    let acks = 0
    for (const [i, input] of cases.entries()) {
      const where = `seed ${fuzzSeed}, case ${i} (${input.encoding}, ${input.bytes.length} bytes)`
      const { session } = sessions[input.encoding]
      send(session, input)
      const answer = await session.next()
      expectAnswerOf(input, answer, where)
      if (answer['type'] === 'ack') acks++
      const local = checkFrameEnvelope(input.bytes, input.encoding)
      if (local.ok) acceptedSeqs.add(local.seq)
      expect(sessions.msgpack.closed || sessions.json.closed, where).toBe(false)
    }
    // Both outcomes were reached, so both were checked.
    expect(acks).toBeGreaterThan(0)
    expect(acks).toBeLessThan(cases.length)

    // The server took every frame in its stride: a valid frame now is acked and stored.
    for (const encoding of ['msgpack', 'json'] as const) {
      const seq = [424_242, 424_243, 424_244].find((s) => !acceptedSeqs.has(s))!
      const conferenceId = `fuzz-socket-after-${encoding}`
      const frame = { ...frames.stats[1]!, seq, ts: Date.now(), call: { ...(frames.stats[1]!['call'] as object), conferenceId } }
      const { session } = sessions[encoding]
      session.send(frame)
      expect(await session.next(), encoding).toEqual({ type: 'ack', seq: watermark })
      await eventually(async () => {
        const rows = await world.query<{ n: string }>('SELECT count() AS n FROM {db}.rtp_samples WHERE conference_id = {c:String}', { c: conferenceId })
        return Number(rows[0]?.n) > 0
      }, 30_000, `the valid ${encoding} frame stored`)
    }
    expect(sessions.msgpack.closed || sessions.json.closed).toBe(false)
    // Refusals and dead letters were logged without a raw personal value or the key.
    expect(world.logs.length).toBeGreaterThan(0)
    expect(world.logs.filter((line) => secretValues.some((secret) => line.includes(secret)))).toEqual([])
  })

  it('mutated hellos and random first frames get an ack, or a typed error and the documented close', async () => {
    const frames = realFrames(Date.now())
    const cases = fc.sample(fc.oneof(mutatedFrame(frames.hellos), randomInput), { seed: fuzzSeed, numRuns: 30 })
    let accepted = 0
    for (const [i, input] of cases.entries()) {
      const where = `seed ${fuzzSeed}, first frame ${i} (${input.encoding}, ${input.bytes.length} bytes)`
      const session = await rawSession(url, `callmask.v1.${input.encoding}`)
      send(session, input)
      const answer = await session.next()
      if (answer['type'] === 'ack') {
        expect(validAck(answer), where).toBe(true)
        accepted++
        session.sendRaw(Buffer.alloc(0)) // an empty frame: malformed, the session goes on
        expect(await session.next(), where).toMatchObject({ type: 'error', code: wireErrorCodes.malformed })
        continue
      }
      expect(validError(answer), `${where}: ${JSON.stringify(answer)}`).toBe(true)
      expect([wireErrorCodes.noHello, wireErrorCodes.schema, wireErrorCodes.badKey], where).toContain(answer['code'])
      expect((await session.closed).code, where).toBe(answer['code'] === wireErrorCodes.badKey ? closeCodes.badKey : closeCodes.noHello)
    }
    expect(accepted).toBeLessThan(cases.length)
  })
})
