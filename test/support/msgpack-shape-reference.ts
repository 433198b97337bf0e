// A cheap walk over msgpack bytes before anything decodes them, so a frame costs work in
// proportion to its size and nothing more. It admits only the JSON-like part of msgpack:
// nil, booleans, integers (64-bit ones too), floats, strings, arrays and maps with string
// keys, nested at most `maxDepth` deep, at most `maxElements` values, exactly one top-level
// value. Everything msgpackr could expand or turn into objects is refused before decoding:
// extension types (structured-clone references, records, bundles, Error, RegExp, Set, typed
// arrays, dates), binary blobs. A reference repeated 256 times to one 8 KiB string made an
// 11 KB frame cost 262M characters of validation; with no extensions that cannot happen.

export interface ShapeLimits {
  maxDepth: number
  maxElements: number
}

export const defaultShapeLimits: ShapeLimits = { maxDepth: 16, maxElements: 100_000 }

/** Told where each entry of a top-level map lies: [keyStart, keyEnd) and [valueStart, valueEnd). */
export type TopLevelEntry = (keyStart: number, keyEnd: number, valueStart: number, valueEnd: number) => void

/**
 * Undefined when the bytes are one admissible msgpack value, else why not. With `onTopLevelEntry`
 * the same single walk also reports where a top-level map's entries lie, so a caller can decode
 * only the ones it needs (ingest's envelope check); entries of a frame it refuses may have been reported.
 */
export function msgpackShapeProblem(bytes: Uint8Array, limits: ShapeLimits = defaultShapeLimits, onTopLevelEntry?: TopLevelEntry): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let offset = 0
  let elements = 0
  // Values still to read in each open container, outermost first (a map of n entries has
  // 2n slots: key, value, ...); the bottom slot is the one top-level value.
  const remaining: number[] = [1]
  const isMap: boolean[] = [false]

  const need = (n: number) => {
    if (offset + n > bytes.byteLength) throw new ShapeError('the msgpack value is truncated')
  }
  const u8 = () => (need(1), bytes[offset++]!)
  const u16 = () => (need(2), (offset += 2), view.getUint16(offset - 2))
  const u32 = () => (need(4), (offset += 4), view.getUint32(offset - 4))
  const skip = (n: number) => (need(n), (offset += n))
  const open = (count: number, map: boolean) => {
    if (remaining.length > limits.maxDepth) throw new ShapeError(`the frame nests deeper than ${limits.maxDepth} levels`)
    if (count === 0) return
    remaining.push(map ? count * 2 : count)
    isMap.push(map)
  }

  // The top-level entry being read: its key's range and where its value starts (-1: none yet).
  let keyStart = -1
  let keyEnd = -1
  let valueStart = -1
  const topEntryEnds = () => {
    if (valueStart >= 0) onTopLevelEntry!(keyStart, keyEnd, valueStart, offset)
    valueStart = -1
  }

  try {
    while (remaining.length > 0) {
      const top = remaining.length - 1
      if (remaining[top] === 0) {
        if (top === 1 && onTopLevelEntry && isMap[1]) topEntryEnds()
        remaining.pop()
        isMap.pop()
        continue
      }
      const expectingKey = isMap[top] === true && remaining[top]! % 2 === 0
      if (top === 1 && onTopLevelEntry && isMap[1]) {
        if (expectingKey) {
          topEntryEnds()
          keyStart = offset
        } else {
          keyEnd = offset
          valueStart = offset
        }
      }
      remaining[top]! -= 1
      if (++elements > limits.maxElements) throw new ShapeError(`the frame has more than ${limits.maxElements} values`)
      const byte = u8()
      const isString = (byte >= 0xa0 && byte <= 0xbf) || byte === 0xd9 || byte === 0xda || byte === 0xdb
      if (expectingKey && !isString) throw new ShapeError('a map key is not a string')
      if (byte <= 0x7f || byte >= 0xe0) continue // positive / negative fixint
      if (byte <= 0x8f) open(byte & 0x0f, true)
      else if (byte <= 0x9f) open(byte & 0x0f, false)
      else if (byte <= 0xbf) skip(byte & 0x1f)
      else if (byte === 0xc0 || byte === 0xc2 || byte === 0xc3) continue // nil, false, true
      else if (byte === 0xca) skip(4)
      else if (byte === 0xcb) skip(8)
      else if (byte === 0xcc || byte === 0xd0) skip(1)
      else if (byte === 0xcd || byte === 0xd1) skip(2)
      else if (byte === 0xce || byte === 0xd2) skip(4)
      else if (byte === 0xcf || byte === 0xd3) skip(8) // 64-bit integers: other encoders write ms timestamps so
      else if (byte === 0xd9) skip(u8())
      else if (byte === 0xda) skip(u16())
      else if (byte === 0xdb) skip(u32())
      else if (byte === 0xdc) open(u16(), false)
      else if (byte === 0xdd) open(u32(), false)
      else if (byte === 0xde) open(u16(), true)
      else if (byte === 0xdf) open(u32(), true)
      else if (byte >= 0xc4 && byte <= 0xc6) throw new ShapeError('binary values are not accepted')
      else throw new ShapeError('msgpack extension types are not accepted')
    }
    if (offset !== bytes.byteLength) return 'the frame holds more than one msgpack value'
    return undefined
  } catch (error) {
    if (error instanceof ShapeError) return error.message
    throw error
  }
}

class ShapeError extends Error {}
