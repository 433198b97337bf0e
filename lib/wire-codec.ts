// Decodes client frames and encodes server frames for the two v1 subprotocols.
import { isNativeAccelerationEnabled, Packr, Unpackr } from 'msgpackr'
import { jsonShapeProblem } from './json-shape.ts'
import { msgpackShapeProblem } from './msgpack-shape.ts'

/** msgpackr-extract loaded (its string decoding is native); start-up logs it and a test asserts it. */
export const msgpackIsNative: boolean = isNativeAccelerationEnabled

export const subprotocols = {
  msgpack: 'callmask.v1.msgpack',
  json: 'callmask.v1.json',
} as const
export type Encoding = keyof typeof subprotocols

/** Picks the first supported subprotocol a client offered (Sec-WebSocket-Protocol is a list). */
export function chooseEncoding(offered: string): Encoding | undefined {
  for (const name of offered.split(',').map((p) => p.trim())) {
    if (name === subprotocols.msgpack) return 'msgpack'
    if (name === subprotocols.json) return 'json'
  }
  return undefined
}

// Plain msgpack only, the part SDKs in every language speak. Frames are checked by
// msgpackShapeProblem before decoding (no extensions, no binary, bounded depth and size),
// and the decoder itself is configured strictly too: no records, no structured clone, no
// bundled strings; 64-bit integers become numbers when safe (BigInt otherwise, which the
// schema then refuses).
const unpackr = new Unpackr({
  useRecords: false,
  structuredClone: false,
  bundleStrings: false,
  moreTypes: false,
  mapsAsObjects: true,
  int64AsType: 'auto' as 'number',
})
const packr = new Packr({ useRecords: false })
const utf8 = new TextDecoder('utf-8', { fatal: true })

export class MalformedFrameError extends Error {
  override name = 'MalformedFrameError'
}

/** Decodes one frame; throws MalformedFrameError for anything that is not one msgpack/JSON value. */
export function decodeFrame(bytes: Uint8Array, encoding: Encoding): unknown {
  if (encoding === 'msgpack') {
    const problem = msgpackShapeProblem(bytes)
    if (problem) throw new MalformedFrameError(`the frame is not accepted msgpack: ${problem}`)
  }
  let value: unknown
  try {
    value = encoding === 'json' ? JSON.parse(utf8.decode(bytes)) : unpackr.unpack(bytes)
  } catch (error) {
    // Deep nesting raises RangeError, truncated input a plain Error: all are the client's fault.
    throw new MalformedFrameError(`the frame is not valid ${encoding === 'json' ? 'JSON' : 'msgpack'}`, { cause: error })
  }
  if (encoding === 'json') {
    const problem = jsonShapeProblem(value)
    if (problem) throw new MalformedFrameError(`the frame is not accepted JSON: ${problem}`)
  }
  return value
}

/**
 * One msgpack value the shape walk already admitted (a slice of a frame), with the same strict
 * decoder; MalformedFrameError when it cannot be decoded after all.
 */
export function unpackAdmitted(bytes: Uint8Array): unknown {
  try {
    return unpackr.unpack(bytes)
  } catch (error) {
    throw new MalformedFrameError('the frame is not valid msgpack', { cause: error })
  }
}

export function encodeFrame(frame: object, encoding: Encoding): Uint8Array | string {
  return encoding === 'json' ? JSON.stringify(frame) : packr.pack(frame)
}
