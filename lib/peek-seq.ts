// The seq of a frame the server refuses before decoding it (too large, malformed, over the
// rate limit), read cheaply from the bytes, so the error can name it and the seq be settled
// (a refusal without a seq would stall the session's acks for good). It looks for the first
// `seq` key in the first few KB (SDKs write it near the start), in either encoding; a frame
// whose seq cannot be found this way gets an error without one.
import type { Encoding } from './wire-codec.ts'

const window = 4096
const msgpackSeqKey = [0xa3, 0x73, 0x65, 0x71] // fixstr(3) "seq"
const jsonSeqRe = /"seq"\s*:\s*(\d{1,16})\b/

export function peekSeq(bytes: Uint8Array, encoding: Encoding): number | undefined {
  const head = bytes.subarray(0, window)
  if (encoding === 'json') {
    const match = jsonSeqRe.exec(Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1'))
    return match ? safe(Number(match[1])) : undefined
  }
  const at = Buffer.from(head.buffer, head.byteOffset, head.byteLength).indexOf(Buffer.from(msgpackSeqKey))
  if (at < 0) return undefined
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  const i = at + msgpackSeqKey.length
  if (i >= head.byteLength) return undefined
  const type = head[i]!
  try {
    if (type <= 0x7f) return type
    if (type === 0xcc) return view.getUint8(i + 1)
    if (type === 0xcd) return view.getUint16(i + 1)
    if (type === 0xce) return view.getUint32(i + 1)
    if (type === 0xcf) return safe(Number(view.getBigUint64(i + 1)))
  } catch {
    return undefined // cut off inside the number
  }
  return undefined
}

const safe = (n: number): number | undefined => (Number.isSafeInteger(n) && n >= 1 ? n : undefined)
