// A cheap walk over msgpack bytes before anything decodes them, so a frame costs work in
// proportion to its size and nothing more. It admits only the JSON-like part of msgpack:
// nil, booleans, integers (64-bit ones too), floats, strings, arrays and maps with string
// keys, nested at most `maxDepth` deep, at most `maxElements` values, exactly one top-level
// value. Everything msgpackr could expand or turn into objects is refused before decoding:
// extension types (structured-clone references, records, bundles, Error, RegExp, Set, typed
// arrays, dates), binary blobs. A reference repeated 256 times to one 8 KiB string made an
// 11 KB frame cost 262M characters of validation; with no extensions that cannot happen.
//
// Written as one loop over plain reads and a typed-array stack (no closures, no DataView, no
// exceptions): it runs on every frame ingest receives, and this form costs about a fifth of
// the straightforward one (test/support/msgpack-shape-reference.ts, which a property test
// holds it to).

export interface ShapeLimits {
  maxDepth: number
  maxElements: number
}

export const defaultShapeLimits: ShapeLimits = { maxDepth: 16, maxElements: 100_000 }

/** Told where each entry of a top-level map lies: [keyStart, keyEnd) and [valueStart, valueEnd). */
export type TopLevelEntry = (keyStart: number, keyEnd: number, valueStart: number, valueEnd: number) => void

const truncated = 'the msgpack value is truncated'

// Values still to read in each open container, outermost first (a map of n entries has 2n
// slots: key, value, ...); slot 0 is the one top-level value. Reused across calls (the walk is
// synchronous); grown for deeper limits. Int32 (twice as fast as Float64 here): a declared
// count is capped just above maxElements, which changes no verdict, since the walk refuses the
// frame (too many values, or truncated) before a capped container could end.
let remaining = new Int32Array(32)
let isMap = new Uint8Array(32)
let walking = false

/**
 * Undefined when the bytes are one admissible msgpack value, else why not. With `onTopLevelEntry`
 * the same single walk also reports where a top-level map's entries lie, so a caller can decode
 * only the ones it needs (ingest's envelope check); entries of a frame it refuses may have been reported.
 */
export function msgpackShapeProblem(bytes: Uint8Array, limits: ShapeLimits = defaultShapeLimits, onTopLevelEntry?: TopLevelEntry): string | undefined {
  const { maxDepth, maxElements } = limits
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 1024) throw new RangeError('maxDepth must be an integer from 0 to 1024')
  if (!Number.isInteger(maxElements) || maxElements < 0 || maxElements >= 2 ** 30) throw new RangeError('maxElements must be an integer from 0 to 2^30 - 1')
  // The stack is shared: a walk started from inside onTopLevelEntry would corrupt that one.
  if (walking) throw new Error('msgpackShapeProblem is not re-entrant: do not walk from inside onTopLevelEntry')
  if (!onTopLevelEntry) return walk(bytes, maxDepth, maxElements, undefined)
  walking = true
  try {
    return walk(bytes, maxDepth, maxElements, onTopLevelEntry)
  } finally {
    walking = false
  }
}

function walk(bytes: Uint8Array, maxDepth: number, maxElements: number, onTopLevelEntry: TopLevelEntry | undefined): string | undefined {
  const cap = (maxElements + 2) & ~1 // even: a capped map still alternates key, value
  if (remaining.length < maxDepth + 2) {
    remaining = new Int32Array(maxDepth + 2)
    isMap = new Uint8Array(maxDepth + 2)
  }
  const end = bytes.length
  let offset = 0
  let elements = 0
  let depth = 0
  remaining[0] = 1
  isMap[0] = 0
  // The top-level entry being read: its key's range and where its value starts (-1: none yet).
  const reportEntries = onTopLevelEntry !== undefined
  let keyStart = -1
  let keyEnd = -1
  let valueStart = -1

  for (;;) {
    if (remaining[depth] === 0) {
      if (depth === 1 && reportEntries && isMap[1] === 1 && valueStart >= 0) {
        onTopLevelEntry(keyStart, keyEnd, valueStart, offset)
        valueStart = -1
      }
      if (depth === 0) break
      depth--
      continue
    }
    const expectingKey = isMap[depth] === 1 && (remaining[depth]! & 1) === 0
    if (depth === 1 && reportEntries && isMap[1] === 1) {
      if (expectingKey) {
        if (valueStart >= 0) onTopLevelEntry(keyStart, keyEnd, valueStart, offset)
        valueStart = -1
        keyStart = offset
      } else {
        keyEnd = offset
        valueStart = offset
      }
    }
    remaining[depth]! -= 1
    if (++elements > maxElements) return `the frame has more than ${maxElements} values`
    if (offset >= end) return truncated
    const byte = bytes[offset++]!
    if (expectingKey && !((byte >= 0xa0 && byte <= 0xbf) || byte === 0xd9 || byte === 0xda || byte === 0xdb)) return 'a map key is not a string'

    let skip = 0 // bytes of payload after the type byte (and its length field)
    let count = -1 // >= 0: a container opens with this many values
    let map = 0
    if (byte <= 0x7f || byte >= 0xe0) continue // positive / negative fixint
    else if (byte <= 0x8f) (count = (byte & 0x0f) * 2), (map = 1)
    else if (byte <= 0x9f) count = byte & 0x0f
    else if (byte <= 0xbf) skip = byte & 0x1f
    else if (byte === 0xc0 || byte === 0xc2 || byte === 0xc3) continue // nil, false, true
    else if (byte === 0xca || byte === 0xce || byte === 0xd2) skip = 4
    else if (byte === 0xcb || byte === 0xcf || byte === 0xd3) skip = 8 // 64-bit integers: other encoders write ms timestamps so
    else if (byte === 0xcc || byte === 0xd0) skip = 1
    else if (byte === 0xcd || byte === 0xd1) skip = 2
    else if (byte === 0xd9) {
      if (offset + 1 > end) return truncated
      skip = bytes[offset++]!
    } else if (byte === 0xda || byte === 0xdc || byte === 0xde) {
      if (offset + 2 > end) return truncated
      const n = (bytes[offset]! << 8) | bytes[offset + 1]!
      offset += 2
      if (byte === 0xda) skip = n
      else if (byte === 0xdc) count = n
      else (count = n * 2), (map = 1)
    } else if (byte === 0xdb || byte === 0xdd || byte === 0xdf) {
      if (offset + 4 > end) return truncated
      const n = bytes[offset]! * 0x1000000 + ((bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!)
      offset += 4
      if (byte === 0xdb) skip = n
      else if (byte === 0xdd) count = n
      else (count = n * 2), (map = 1)
    } else if (byte >= 0xc4 && byte <= 0xc6) return 'binary values are not accepted'
    else return 'msgpack extension types are not accepted'

    if (count >= 0) {
      if (count > cap) count = cap
      if (depth >= maxDepth) return `the frame nests deeper than ${maxDepth} levels`
      if (count > 0) {
        depth++
        remaining[depth] = count
        isMap[depth] = map
      }
    } else if (skip > 0) {
      if (offset + skip > end) return truncated
      offset += skip
    }
  }
  if (offset !== end) return 'the frame holds more than one msgpack value'
  return undefined
}
