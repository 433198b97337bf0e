// A cheap walk over msgpack bytes before anything decodes them, so a frame costs work in
// proportion to its size and nothing more. It admits only the JSON-like part of msgpack:
// nil, booleans, integers (64-bit ones too), floats, strings, arrays and maps with string
// keys, nested at most `maxDepth` deep, at most `maxElements` values, exactly one top-level
// value. Everything msgpackr could expand or turn into objects is refused before decoding:
// extension types (structured-clone references, records, bundles, Error, RegExp, Set, typed
// arrays, dates), binary blobs. A reference repeated 256 times to one 8 KiB string made an
// 11 KB frame cost 262M characters of validation; with no extensions that cannot happen.
//
// Written as plain reads, a typed-array stack and a table of type bytes (no closures, no
// DataView, no exceptions), with the values of one container read in an inner loop that keeps
// its count in a local: it runs on every frame ingest receives (and the processor decodes),
// and this form costs about a seventh of the straightforward one
// (test/support/msgpack-shape-reference.ts, which a property test holds it to); the type table
// and the inner loop took it from 5.6 to 4.0 us per bench frame.

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

// What each type byte is, so the walk reads one table entry instead of a chain of ranges:
// >= 0: a value of that many payload bytes after the type byte (fixints, nil, booleans, fixed
// numbers, fixstr); < 0: one of the kinds below.
const FIXMAP = -1, FIXARRAY = -2, STR8 = -3, STR16 = -4, STR32 = -5, ARRAY16 = -6, ARRAY32 = -7, MAP16 = -8, MAP32 = -9, BINARY = -10, EXTENSION = -11
const kindOf = new Int8Array(256).fill(EXTENSION)
/** 1 for the type bytes that start a string: a map key must be one. */
const isString = new Uint8Array(256)
for (let byte = 0; byte < 256; byte++) {
  if (byte <= 0x7f || byte >= 0xe0) kindOf[byte] = 0 // positive / negative fixint
  else if (byte <= 0x8f) kindOf[byte] = FIXMAP
  else if (byte <= 0x9f) kindOf[byte] = FIXARRAY
  else if (byte <= 0xbf) (kindOf[byte] = byte & 0x1f), (isString[byte] = 1)
}
kindOf[0xc0] = kindOf[0xc2] = kindOf[0xc3] = 0 // nil, false, true
kindOf[0xcc] = kindOf[0xd0] = 1
kindOf[0xcd] = kindOf[0xd1] = 2
kindOf[0xca] = kindOf[0xce] = kindOf[0xd2] = 4
kindOf[0xcb] = kindOf[0xcf] = kindOf[0xd3] = 8 // 64-bit integers: other encoders write ms timestamps so
kindOf[0xd9] = STR8
kindOf[0xda] = STR16
kindOf[0xdb] = STR32
kindOf[0xdc] = ARRAY16
kindOf[0xdd] = ARRAY32
kindOf[0xde] = MAP16
kindOf[0xdf] = MAP32
kindOf[0xc4] = kindOf[0xc5] = kindOf[0xc6] = BINARY
isString[0xd9] = isString[0xda] = isString[0xdb] = 1

function walk(bytes: Uint8Array, maxDepth: number, maxElements: number, onTopLevelEntry: TopLevelEntry | undefined): string | undefined {
  const cap = (maxElements + 2) & ~1 // even: a capped map still alternates key, value
  if (remaining.length < maxDepth + 2) {
    remaining = new Int32Array(maxDepth + 2)
    isMap = new Uint8Array(maxDepth + 2)
  }
  // Locals: module-level lets are read through the context on every access.
  const stackRemaining = remaining
  const stackIsMap = isMap
  const kinds = kindOf
  const strings = isString
  const end = bytes.length
  let offset = 0
  let elements = 0
  let depth = 0
  stackRemaining[0] = 1
  stackIsMap[0] = 0
  // The top-level entry being read: its key's range and where its value starts (-1: none yet).
  const reportEntries = onTopLevelEntry !== undefined
  let keyStart = -1
  let keyEnd = -1
  let valueStart = -1

  for (;;) {
    let toRead = stackRemaining[depth]!
    if (toRead === 0) {
      if (depth === 1 && reportEntries && stackIsMap[1] === 1 && valueStart >= 0) {
        onTopLevelEntry(keyStart, keyEnd, valueStart, offset)
        valueStart = -1
      }
      if (depth === 0) break
      depth--
      continue
    }
    // The values of this container, read in one inner loop with its count in a local, until
    // one opens a container (or the container ends): most values are scalars and strings.
    const map = stackIsMap[depth] === 1
    const top = depth === 1 && reportEntries && map
    let count = -1 // >= 0: a container opens with this many values
    let opensMap = 0
    while (toRead > 0) {
      const expectingKey = map && (toRead & 1) === 0
      if (top) {
        if (expectingKey) {
          if (valueStart >= 0) onTopLevelEntry!(keyStart, keyEnd, valueStart, offset)
          valueStart = -1
          keyStart = offset
        } else {
          keyEnd = offset
          valueStart = offset
        }
      }
      toRead--
      if (++elements > maxElements) return `the frame has more than ${maxElements} values`
      if (offset >= end) return truncated
      const byte = bytes[offset++]!
      if (expectingKey && strings[byte] === 0) return 'a map key is not a string'
      const kind = kinds[byte]!
      if (kind >= 0) {
        // A scalar or a fixstr: skip its payload.
        if (kind > 0) {
          if (offset + kind > end) return truncated
          offset += kind
        }
        continue
      }
      let skip = 0 // bytes of payload after the length field
      if (kind === FIXMAP) (count = (byte & 0x0f) * 2), (opensMap = 1)
      else if (kind === FIXARRAY) count = byte & 0x0f
      else if (kind === STR8) {
        if (offset + 1 > end) return truncated
        skip = bytes[offset++]!
      } else if (kind === STR16 || kind === ARRAY16 || kind === MAP16) {
        if (offset + 2 > end) return truncated
        const n = (bytes[offset]! << 8) | bytes[offset + 1]!
        offset += 2
        if (kind === STR16) skip = n
        else if (kind === ARRAY16) count = n
        else (count = n * 2), (opensMap = 1)
      } else if (kind === STR32 || kind === ARRAY32 || kind === MAP32) {
        if (offset + 4 > end) return truncated
        const n = bytes[offset]! * 0x1000000 + ((bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!)
        offset += 4
        if (kind === STR32) skip = n
        else if (kind === ARRAY32) count = n
        else (count = n * 2), (opensMap = 1)
      } else if (kind === BINARY) return 'binary values are not accepted'
      else return 'msgpack extension types are not accepted'
      if (count >= 0) break
      if (skip > 0) {
        if (offset + skip > end) return truncated
        offset += skip
      }
    }
    stackRemaining[depth] = toRead
    if (count >= 0) {
      if (count > cap) count = cap
      if (depth >= maxDepth) return `the frame nests deeper than ${maxDepth} levels`
      if (count > 0) {
        depth++
        stackRemaining[depth] = count
        stackIsMap[depth] = opensMap
      }
    }
  }
  if (offset !== end) return 'the frame holds more than one msgpack value'
  return undefined
}
