// How a client frame travels through JetStream: the payload exactly as the client sent it,
// and two headers saying whose it is. Shared by ingest (writes) and processor (reads).
//   Nats-Msg-Id:      <tenant>:<session>:<seq>  (JetStream's de-duplication key; tenant and
//                     session ids cannot hold ':', see lib/config.ts and the hello schema)
//   Callmask-Frame:   <encoding> <received-at ms>
// Six headers (one per field) cost 15-20 us of ingest CPU per frame in nats.js; the msg id
// already carries three of them. Messages written with the six headers of earlier versions
// are still read (a rolling upgrade leaves some in the stream).
import type { Encoding } from './wire-codec.ts'

export const msgIdHeader = 'Nats-Msg-Id'
export const frameHeader = 'Callmask-Frame'

/** The headers of earlier versions, still read. */
export const legacyEnvelopeHeaders = {
  tenant: 'Callmask-Tenant',
  session: 'Callmask-Session',
  seq: 'Callmask-Seq',
  encoding: 'Callmask-Encoding',
  receivedAt: 'Callmask-Received-At',
} as const

export interface FrameEnvelope {
  tenant: string
  sessionId: string
  seq: number
  encoding: Encoding
  /** Server clock (ms) when ingest received the frame. */
  receivedAt: number
}

/** The headers a frame is published with. */
export function envelopeHeaderValues(envelope: FrameEnvelope): Record<string, string> {
  return {
    [msgIdHeader]: `${envelope.tenant}:${envelope.sessionId}:${envelope.seq}`,
    [frameHeader]: `${envelope.encoding} ${envelope.receivedAt}`,
  }
}

interface HeaderReader {
  get(name: string): string
}

/** The envelope of a stored message, or undefined when its headers do not make one. */
export function readEnvelope(headers: HeaderReader | undefined): FrameEnvelope | undefined {
  if (!headers) return undefined
  const frame = headers.get(frameHeader)
  const envelope = frame ? fromCurrent(headers.get(msgIdHeader), frame) : fromLegacy(headers)
  if (!envelope) return undefined
  const { tenant, sessionId, seq, encoding, receivedAt } = envelope
  if (!tenant || !sessionId || !Number.isSafeInteger(seq) || !Number.isFinite(receivedAt) || (encoding !== 'json' && encoding !== 'msgpack')) return undefined
  return envelope
}

/** Only the tenant, for messages that may not be whole envelopes (dead letters). */
export function tenantOf(headers: HeaderReader | undefined): string | undefined {
  if (!headers) return undefined
  const legacy = headers.get(legacyEnvelopeHeaders.tenant)
  if (legacy) return legacy
  const id = headers.get(msgIdHeader)
  const colon = id.indexOf(':')
  return colon > 0 ? id.slice(0, colon) : undefined
}

/** Only the encoding, for messages that may not be whole envelopes (dead letters). */
export function encodingOf(headers: HeaderReader | undefined): Encoding {
  const value = headers?.get(frameHeader).split(' ')[0] || headers?.get(legacyEnvelopeHeaders.encoding)
  return value === 'json' ? 'json' : 'msgpack'
}

function fromCurrent(msgId: string, frame: string): FrameEnvelope | undefined {
  const parts = msgId.split(':')
  const [encoding, receivedAt] = frame.split(' ')
  if (parts.length !== 3) return undefined
  return { tenant: parts[0]!, sessionId: parts[1]!, seq: Number(parts[2]), encoding: encoding as Encoding, receivedAt: Number(receivedAt) }
}

function fromLegacy(headers: HeaderReader): FrameEnvelope | undefined {
  const h = legacyEnvelopeHeaders
  return {
    tenant: headers.get(h.tenant),
    sessionId: headers.get(h.session),
    seq: Number(headers.get(h.seq) || NaN),
    encoding: headers.get(h.encoding) as Encoding,
    receivedAt: Number(headers.get(h.receivedAt) || NaN),
  }
}

/** How far a frame's `ts` may lie from the server's clock: late delivery after an outage is fine, the future is not. */
export const frameTimeWindow = { pastMs: 7 * 24 * 3600 * 1000, futureMs: 24 * 3600 * 1000 } as const

/** A frame time outside the window would break retention (TTL) or expire at once after its ack. */
export function frameTimeProblem(ts: number, receivedAt: number): string | undefined {
  // Seconds since the epoch (a common SDK mistake) would otherwise read as "long ago".
  if (ts > 0 && Math.abs(ts * 1000 - receivedAt) <= frameTimeWindow.pastMs) return '/ts looks like seconds since the epoch: send milliseconds'
  if (ts < receivedAt - frameTimeWindow.pastMs) return '/ts is more than 7 days before the server clock'
  if (ts > receivedAt + frameTimeWindow.futureMs) return '/ts is more than 1 day after the server clock'
  return undefined
}
