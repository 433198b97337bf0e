// Ingest's check of a data frame before it is stored: the envelope only (type, seq, ts, call
// context, how many reports), read in the single msgpack walk that also bounds the frame's
// shape, without decoding the reports (their decode was a third of ingest's CPU per frame).
// The client's bytes are forwarded as they are; the processor decodes and validates them in
// full. JSON frames are parsed whole (JSON.parse cannot skip) and validated in full.
import { validateClientFrame, validateStatsEnvelope, type ValidationResult } from '../schemas/frame-validator.ts'
import { msgpackShapeProblem } from './msgpack-shape.ts'
import { decodeFrame, MalformedFrameError, unpackAdmitted, type Encoding } from './wire-codec.ts'

export type EnvelopeCheck =
  | { ok: true; type: string; seq: number; ts: number }
  /** `malformed`: not one admissible msgpack/JSON value; otherwise a schema problem. */
  | { ok: false; malformed: boolean; message: string; seq?: number | undefined }

export function checkFrameEnvelope(bytes: Uint8Array, encoding: Encoding): EnvelopeCheck {
  if (encoding === 'json') return checkDecoded(() => decodeFrame(bytes, 'json'))
  // Entries, then Object.fromEntries: a `__proto__` key stays a plain property.
  const fields: [string, unknown][] = []
  let entries = 0
  let problem: string | undefined
  try {
    problem = msgpackShapeProblem(bytes, undefined, (keyStart, keyEnd, valueStart, valueEnd) => {
      // More than the schema's 16 properties is refused anyway: decode no further keys.
      if (++entries > 17) return
      const key = readSmallValue(bytes, keyStart, keyEnd) as string
      fields.push([key, key === 'reports' || key === 'previous' ? standIn(bytes, valueStart, valueEnd) : readSmallValue(bytes, valueStart, valueEnd)])
    })
  } catch (error) {
    // A slice the walk admitted that msgpackr still refuses: the client's fault, never a crash.
    if (!(error instanceof MalformedFrameError)) throw error
    return { ok: false, malformed: true, message: error.message }
  }
  if (problem) return { ok: false, malformed: true, message: `the frame is not accepted msgpack: ${problem}` }
  const envelope: Record<string, unknown> = Object.fromEntries(fields)
  // Not a map, an event (small: checked whole) or a hello: decode it all.
  if (entries === 0 || envelope['type'] !== 'stats') return checkDecoded(() => decodeFrame(bytes, 'msgpack'))
  for (let i = 18; i <= entries; i++) envelope[`\0${i}`] = null // counted for maxProperties
  return outcome(validateStatsEnvelope(envelope), envelope)
}

/** What ingest did before the envelope check: decode and validate everything (the benchmark's baseline). */
export function checkFrameInFull(bytes: Uint8Array, encoding: Encoding): EnvelopeCheck {
  return checkDecoded(() => decodeFrame(bytes, encoding))
}

/** An array of the same length whose items say nothing: the schema checks only the count. */
function standIn(bytes: Uint8Array, start: number, end: number): unknown {
  const byte = bytes[start]!
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = byte >= 0x90 && byte <= 0x9f ? byte & 0x0f : byte === 0xdc ? view.getUint16(start + 1) : byte === 0xdd ? view.getUint32(start + 1) : -1
  // Not an array: decode it so the schema names what it is.
  return length < 0 ? unpackAdmitted(bytes.subarray(start, end)) : new Array<null>(length).fill(null)
}

/**
 * One admitted value: short ASCII strings and numbers (the envelope's keys, type, seq, ts) read
 * in place, as a call to msgpackr costs more than the read itself; anything else through it.
 */
function readSmallValue(bytes: Uint8Array, start: number, end: number): unknown {
  const byte = bytes[start]!
  if (byte <= 0x7f) return byte
  if (byte >= 0xa0 && byte <= 0xbf && end - start <= 16) {
    let text = ''
    for (let i = start + 1; i < end; i++) {
      const c = bytes[i]!
      if (c >= 0x80) return unpackAdmitted(bytes.subarray(start, end))
      text += String.fromCharCode(c)
    }
    return text
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + start + 1, end - start - 1)
  if (byte === 0xcb) return view.getFloat64(0)
  if (byte === 0xce) return view.getUint32(0)
  if (byte === 0xcd) return view.getUint16(0)
  if (byte === 0xcc) return view.getUint8(0)
  return unpackAdmitted(bytes.subarray(start, end))
}

function checkDecoded(decode: () => unknown): EnvelopeCheck {
  let value: unknown
  try {
    value = decode()
  } catch (error) {
    if (!(error instanceof MalformedFrameError)) throw error
    return { ok: false, malformed: true, message: error.message }
  }
  return outcome(validateClientFrame(value), value)
}

function outcome(result: ValidationResult, value: unknown): EnvelopeCheck {
  if (!result.ok) return { ok: false, malformed: false, message: result.message, seq: seqOf(value) }
  const frame = result.frame
  return frame.type === 'hello' ? { ok: true, type: 'hello', seq: 0, ts: 0 } : { ok: true, type: frame.type, seq: frame.seq, ts: frame.ts }
}

function seqOf(value: unknown): number | undefined {
  const seq = (value as { seq?: unknown } | null)?.seq
  // Only a seq a client could have sent: an error frame's seq is never negative (errorFrameSchema).
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1 ? seq : undefined
}
