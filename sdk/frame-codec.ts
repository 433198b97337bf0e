// Encodes data frames once, without their seq, and stamps the seq in front when the frame
// is sent. A seq is given only to a frame that goes onto the socket, so a sample dropped
// from the offline buffer never leaves a gap in the session's seqs (the server acks the
// highest *contiguous* seq: a gap would stall every ack after it). Stamping writes `seq`
// as the frame's first field, where ingest reads it cheaply even from a refused frame.
import { Packr, Unpackr } from 'msgpackr'
import type { AckFrame, ErrorFrame, StatsReport } from '../schemas/frames.ts'

export type Encoding = 'msgpack' | 'json'
export type EncodedBody = Uint8Array | string

export const subprotocolOf = (encoding: Encoding): string => `callmask.v1.${encoding}`

// Plain msgpack only (ingest refuses extensions): no records, and undefined fields left out
// rather than written as msgpackr's undefined extension.
// (`skipValues` is in msgpackr 2's pack.js, not yet in its type declarations.)
const packr = new Packr({ useRecords: false, skipValues: [undefined] } as ConstructorParameters<typeof Packr>[0])
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true })
const seqKey = Uint8Array.of(0xa3, 0x73, 0x65, 0x71) // the msgpack string "seq"
const utf8 = new TextEncoder()
const utf8Decoder = new TextDecoder()

/** A frame without its seq, ready for stampSeq. */
export function encodeBody(frame: object, encoding: Encoding): EncodedBody {
  return encoding === 'json' ? JSON.stringify(frame) : packr.pack(frame)
}

/** Encodes a frame as is (the hello). */
export const encodeFrame = encodeBody

export function byteLength(body: EncodedBody): number {
  return typeof body === 'string' ? utf8.encode(body).byteLength : body.byteLength
}

/** The frame with `seq` as its first field. */
export function stampSeq(body: EncodedBody, seq: number): EncodedBody {
  if (typeof body === 'string') return `{"seq":${seq},${body.slice(1)}`
  // A map header: fixmap (0x80-0x8f) or map16 (0xde, as msgpackr writes objects).
  const [count, headerLength] = body[0] === 0xde ? [(body[1]! << 8) | body[2]!, 3] : [body[0]! & 0x0f, 1]
  const value = packr.pack(seq)
  const out = new Uint8Array(3 + seqKey.length + value.length + body.length - headerLength)
  out[0] = 0xde
  out[1] = ((count + 1) >> 8) & 0xff
  out[2] = (count + 1) & 0xff
  out.set(seqKey, 3)
  out.set(value, 3 + seqKey.length)
  out.set(body.subarray(headerLength), 3 + seqKey.length + value.length)
  return out
}

export function decodeBody(body: EncodedBody): Record<string, unknown> {
  return (typeof body === 'string' ? JSON.parse(body) : unpackr.unpack(body)) as Record<string, unknown>
}

/**
 * A queued stats frame whose `previous` is a snapshot that was dropped: its `previous`
 * becomes the dropped frame's own (the interval widens, nothing is invented; README
 * "Wire protocol v1"). Returns the re-encoded body.
 */
export function widenPrevious(body: EncodedBody, droppedPrevious: readonly StatsReport[], encoding: Encoding): EncodedBody {
  const frame = decodeBody(body)
  const before = new Map(droppedPrevious.map((r) => [r.id, r]))
  const previous = (frame['previous'] as StatsReport[] | undefined) ?? []
  frame['previous'] = previous.flatMap((r) => before.get(r.id) ?? [])
  return encodeBody(frame, encoding)
}

/** A server frame (ack or error), or undefined for anything else. */
export function decodeServerFrame(data: unknown, encoding: Encoding): AckFrame | ErrorFrame | undefined {
  try {
    let frame: unknown
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : undefined
    if (typeof data === 'string') frame = JSON.parse(data)
    else if (!bytes) return undefined
    else frame = encoding === 'json' ? JSON.parse(utf8Decoder.decode(bytes)) : unpackr.unpack(bytes)
    const type = (frame as { type?: unknown } | null)?.type
    return type === 'ack' || type === 'error' ? (frame as AckFrame | ErrorFrame) : undefined
  } catch {
    return undefined
  }
}
