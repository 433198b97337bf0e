// What the fuzz tests (test/fuzz-*.test.ts) feed the decoders: real frames built from the
// browser captures (stats with and without `previous`, events, hellos), hostile values put
// at each envelope and report key, duplicated keys, and byte-level mutations of the encoded
// frames (flips, cuts, insertions, duplicated and deleted slices, huge declared lengths,
// deep nesting); plus random JSON-like values and random bytes. Seeded: FUZZ_SEED picks
// another seed, FUZZ_RUNS more cases, FUZZ_SECONDS a longer time bound per property.
//
// Hangs: every input here is bounded in size (at most a few hundred KB, under ingest's
// frame limit), and every decoder under test does work in proportion to its input, so a
// synchronous case cannot run long without a bug; fast-check's `timeout` cannot interrupt
// synchronous code anyway. Asynchronous properties (the processor's decoder, the rtcstats
// reader) also get fast-check's timeout, which catches a promise that never settles.
import fc from 'fast-check'
import { Packr, Unpackr } from 'msgpackr'
import { buildStatsFrame, selectReports } from '../../sdk/stats-frame.ts'
import { captureFrames, captureNames, loadCapture, rawPersonalValues } from './captures.ts'
import { testKey } from './test-pipeline.ts'

export type Encoding = 'msgpack' | 'json'
type Value = unknown
type Frame = Record<string, Value>

const positiveIntegerOf = (name: string): number | undefined => {
  const text = process.env[name]
  if (text === undefined || text === '') return undefined
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${JSON.stringify(text)}`)
  return value
}

/** The seed of every fuzz property: fixed, so a failure replays; fast-check prints it (and the path) on failure. */
export const fuzzSeed = positiveIntegerOf('FUZZ_SEED') ?? 1414

/**
 * Parameters of one property: `runs` cases (FUZZ_RUNS overrides), stopped after a few seconds
 * (FUZZ_SECONDS) whatever the count, so a loaded machine makes the run shorter, never failing.
 * Async properties add a per-case timeout of `caseTimeoutMs`.
 */
export function fuzzParameters(runs: number, options: { async?: boolean; caseTimeoutMs?: number } = {}): fc.Parameters<unknown> {
  const seconds = positiveIntegerOf('FUZZ_SECONDS') ?? 4
  const plugins = [fc.interruptAfterTimeLimit(seconds * 1000)]
  if (options.async) plugins.push(fc.timeout(options.caseTimeoutMs ?? 2000))
  return { seed: fuzzSeed, numRuns: positiveIntegerOf('FUZZ_RUNS') ?? runs, plugins }
}

const packr = new Packr({ useRecords: false })

/** Strings no error message may quote: the captures' personal call context and the ingest key. */
export const secretValues: readonly string[] = [...rawPersonalValues, testKey]
const personalMarker = 'anna.schmidt@example.com'

export interface RealFrames {
  stats: Frame[]
  events: Frame[]
  hellos: Frame[]
  all: Frame[]
}

/**
 * Frames as an SDK sends them, from every capture (every `stride`th sample, seqs 1, 2, ...),
 * stamped relative to `now`; every second stats frame carries `previous`.
 */
export function realFrames(now: number, stride = 6): RealFrames {
  const stats: Frame[] = []
  for (const name of captureNames().sort()) {
    const samples = captureFrames(loadCapture(name), now)
    for (let i = 0; i < samples.length; i += stride) {
      const sample = samples[i]!
      const before = samples.slice(0, i).reverse().find((s) => s.peerId === sample.peerId)
      const previous = stats.length % 2 === 0 && before ? selectReports(before.reports) : undefined
      stats.push(buildStatsFrame(stats.length + 1, sample.ts, sample.call, sample.reports, previous) as Frame)
    }
  }
  const call = stats[0]!['call']
  const ts = now - 1000
  const events: Frame[] = [
    { type: 'event', seq: stats.length + 1, ts, call, name: 'join' },
    { type: 'event', seq: stats.length + 2, ts, call, name: 'ice-state', value: 'connected' },
    { type: 'event', seq: stats.length + 3, ts, call, name: 'feedback', value: 4 },
  ]
  const hellos: Frame[] = [
    { type: 'hello', v: 1, key: testKey, sessionId: 'fuzz-session-1', sdk: { name: 'callmask-js', version: '0.1.0' } },
    { type: 'hello', v: 1, key: testKey, sessionId: 'fuzz_session-2', sdk: { name: 't', version: '1' }, lastAckedSeq: 17 },
  ]
  return { stats, events, hellos, all: [...stats, ...events, ...hellos] }
}

// Values that break a type, a bound or a decoder's assumptions, for any key.
const edgeValues: Value[] = [
  null, true, false, 0, -0, -1, 0.5, Number.NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 64, -(2 ** 63), 1e308, Number.MIN_VALUE,
  2n ** 64n - 1n, -(2n ** 63n), 2n ** 53n + 1n,
  '', '\ud800', '\udfff', 'a\ud83d', '\ud83d\ude00', '__proto__', 'constructor', 'toString', 'hello', 'stats', 'event', 'inbound-rtp', 'candidate-pair',
  'audio/opus', `sip:${personalMarker};user=phone`, '+49 176 1234 5678', '%61nna.schmidt%40example.com',
  [], {}, [null], { id: 'x', type: 'inbound-rtp', timestamp: 1 },
]
const loneSurrogateText = fc.string({ unit: fc.oneof(fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), fc.constantFrom('a', '@', '.', ' ', '9')), maxLength: 24 })
const longText = fc.integer({ min: 257, max: 70_000 }).map((n) => `${personalMarker} `.repeat(Math.ceil(n / 25)).slice(0, n))
const deepValue = fc.tuple(fc.integer({ min: 10, max: 40 }), fc.boolean()).map(([depth, arrays]) => {
  let value: Value = personalMarker
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { d: value }
  return value
})
const wideValue = fc.integer({ min: 17, max: 300 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])))

/** A value of the wrong type, size or shape for whatever key it lands on. */
export const hostileValue: fc.Arbitrary<Value> = fc.oneof(
  { arbitrary: fc.constantFrom(...edgeValues), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  { arbitrary: loneSurrogateText, weight: 1 },
  { arbitrary: longText, weight: 1 },
  { arbitrary: deepValue, weight: 1 },
  { arbitrary: wideValue, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
)

const reportKeys = ['id', 'type', 'timestamp', 'kind', 'ssrc', 'packetsReceived', 'packetsLost', 'bytesReceived', 'jitter', 'codecId', 'mimeType', 'mid', 'currentRoundTripTime',
  'roundTripTime', 'jitterBufferDelay', 'jitterBufferEmittedCount', 'concealedSamples', 'totalSamplesReceived', 'qualityLimitationDurations', 'selectedCandidatePairId', 'selected',
  'localCandidateId', 'address', 'candidateType', 'transportId', 'state', 'frameWidth', 'mediaSourceId', 'playoutId', 'fractionLost', '__proto__', 'constructor']

/** Where a structural edit lands: a top-level key, a call-context key, or a key of one report (or of `previous`). */
const editPath: fc.Arbitrary<(string | number)[]> = fc.oneof(
  fc.constantFrom('type', 'seq', 'ts', 'call', 'reports', 'previous', 'name', 'value', 'v', 'key', 'sessionId', 'sdk', 'lastAckedSeq', '__proto__', 'extra').map((k) => [k]),
  fc.constantFrom('conferenceId', 'participantId', 'peerConnectionId', 'displayName', 'callId', 'hint', '__proto__').map((k) => ['call', k]),
  fc.constantFrom('name', 'version', 'extra').map((k) => ['sdk', k]),
  fc.tuple(fc.constantFrom('reports', 'previous'), fc.nat(300), fc.oneof({ arbitrary: fc.constantFrom(...reportKeys), weight: 5 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 }, { arbitrary: loneSurrogateText, weight: 1 })).map((p) => [...p]),
  fc.tuple(fc.constantFrom('reports', 'previous'), fc.nat(300)).map((p) => [...p]),
)

type Edit =
  | { kind: 'set'; path: (string | number)[]; value: Value }
  | { kind: 'delete'; path: (string | number)[] }
  | { kind: 'duplicateKey'; key: string; value: Value }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('set' as const), path: editPath, value: hostileValue }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), path: editPath }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('duplicateKey' as const), key: fc.constantFrom('type', 'seq', 'ts', 'call', 'reports', 'key', 'sessionId'), value: hostileValue }), weight: 1 },
)

type ByteMutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'duplicate'; from: number; length: number; to: number }
  | { kind: 'remove'; from: number; length: number }
  | { kind: 'hugeLength'; at: number; header: number[]; overwrite: boolean }
  | { kind: 'nest'; at: number; depth: number }

// Headers that declare far more than follows: str/bin/ext/array/map 16 and 32.
const hugeHeaders = [[0xda, 0xff, 0xff], [0xdb, 0xff, 0xff, 0xff, 0xff], [0xc5, 0xff, 0xff], [0xc6, 0xff, 0xff, 0xff, 0xff], [0xc9, 0xff, 0xff, 0xff, 0xff, 0x01], [0xdc, 0xff, 0xff], [0xdd, 0xff, 0xff, 0xff, 0xff], [0xde, 0xff, 0xff], [0xdf, 0xff, 0xff, 0xff, 0xff], [0xdd, 0x7f, 0xff, 0xff, 0xff], [0xdf, 0x00, 0x01, 0x86, 0xa1]]

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('duplicate' as const), from: fc.nat(), length: fc.integer({ min: 1, max: 4096 }), to: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), from: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('hugeLength' as const), at: fc.nat(), header: fc.constantFrom(...hugeHeaders), overwrite: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 10, max: 5000 }) }), weight: 1 },
)

function applyByteMutation(bytes: Uint8Array, m: ByteMutation, encoding: Encoding): Uint8Array {
  const n = bytes.length
  const at = (i: number) => (n === 0 ? 0 : i % (n + 1))
  const splice = (start: number, removed: number, inserted: ArrayLike<number>) => {
    const out = new Uint8Array(n - removed + inserted.length)
    out.set(bytes.subarray(0, start))
    out.set(inserted, start)
    out.set(bytes.subarray(start + removed), start + inserted.length)
    return out
  }
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return bytes
      const out = Uint8Array.from(bytes)
      out[m.at % n] = m.byte
      return out
    }
    case 'truncate':
      return bytes.subarray(0, at(m.at))
    case 'insert':
      return splice(at(m.at), 0, m.bytes)
    case 'duplicate': {
      const from = at(m.from)
      return splice(at(m.to), 0, bytes.subarray(from, Math.min(n, from + m.length)))
    }
    case 'remove': {
      const from = at(m.from)
      return splice(from, Math.min(m.length, n - from), [])
    }
    case 'hugeLength': {
      const start = at(m.at)
      return splice(start, m.overwrite ? Math.min(m.header.length, n - start) : 0, m.header)
    }
    case 'nest': {
      // An array open m.depth times (msgpack fixarray of 1, JSON '['), as a prefix or inside.
      const open = encoding === 'msgpack' ? 0x91 : 0x5b
      return splice(at(m.at), 0, new Uint8Array(m.depth).fill(open))
    }
  }
}

// Edits work on copies: generated values (the edge values above) are shared between cases.
const clone = <T>(value: T): T => structuredClone(value)

function applyEdit(frame: Frame, e: Exclude<Edit, { kind: 'duplicateKey' }>): void {
  let node: Value = frame
  for (const key of e.path.slice(0, -1)) {
    if (Array.isArray(node)) node = node.length === 0 ? undefined : node[(key as number) % node.length]
    else if (node !== null && typeof node === 'object') node = (node as Frame)[key as string]
    else return
  }
  const last = e.path.at(-1)!
  if (Array.isArray(node)) {
    if (node.length === 0) return
    const i = (last as number) % node.length
    if (e.kind === 'set') node[i] = clone(e.value)
    else node.splice(i, 1)
  } else if (node !== null && typeof node === 'object') {
    const record = node as Frame
    // defineProperty: a `__proto__` key becomes a plain field, as a decoder makes it.
    if (e.kind === 'set') Object.defineProperty(record, String(last), { value: clone(e.value), enumerable: true, writable: true, configurable: true })
    else delete record[String(last)]
  }
}

/** JSON as a client writes it; BigInts as numbers (JSON has no other way to write them). */
export const jsonText = (value: Value): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) ?? 'null'

/** One value encoded as a client would; `extraEntries` follow the top-level map's own (duplicate keys). */
export function encodeValue(value: Value, encoding: Encoding, extraEntries: [string, Value][] = []): Uint8Array {
  if (extraEntries.length === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) {
    return encoding === 'json' ? new TextEncoder().encode(jsonText(value)) : packr.pack(value)
  }
  const entries = [...Object.entries(value), ...extraEntries]
  if (encoding === 'json') return new TextEncoder().encode(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`)
  const header = entries.length <= 15 ? [0x80 | entries.length] : [0xde, entries.length >> 8, entries.length & 0xff]
  return Buffer.concat([Uint8Array.from(header), ...entries.flatMap(([k, v]) => [packr.pack(k), packr.pack(v)])])
}

export interface FuzzCase {
  encoding: Encoding
  bytes: Uint8Array
  /** The frame value before any byte mutation (what a lenient reader would see), if there was one. */
  value?: Value
}

/**
 * A real frame with structural edits, then byte mutations, in either encoding. Without byte
 * mutations (`bytes: false`) most cases still decode, so they reach the policy and the mapper.
 */
export function mutatedFrame(frames: readonly Frame[], options: { maxBytes?: number; bytes?: boolean } = {}): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      index: fc.nat(frames.length - 1),
      encoding: fc.constantFrom<Encoding>('msgpack', 'json'),
      edits: fc.array(edit, { maxLength: options.bytes === false ? 6 : 3 }),
      mutations: fc.array(byteMutation, { maxLength: options.bytes === false ? 0 : 3 }),
    })
    .map(({ index, encoding, edits, mutations }) => {
      const value = clone(frames[index]!)
      const extra: [string, Value][] = []
      for (const e of edits) {
        if (e.kind === 'duplicateKey') extra.push([e.key, clone(e.value)])
        else applyEdit(value, e)
      }
      let bytes = encodeValue(value, encoding, extra)
      for (const m of mutations) bytes = applyByteMutation(bytes, m, encoding)
      if (options.maxBytes !== undefined && bytes.length > options.maxBytes) bytes = bytes.subarray(0, options.maxBytes)
      return mutations.length === 0 && extra.length === 0 ? { encoding, bytes, value } : { encoding, bytes }
    })
}

/** Random JSON-like values (with lone surrogates and odd keys) encoded either way, and random bytes. */
export const randomInput: fc.Arbitrary<FuzzCase> = fc.oneof(
  fc.tuple(fc.jsonValue({ maxDepth: 8 }), fc.constantFrom<Encoding>('msgpack', 'json')).map(([value, encoding]) => ({ encoding, bytes: encodeValue(value, encoding), value })),
  fc.tuple(fc.dictionary(fc.constantFrom('type', 'seq', 'ts', 'call', 'reports', 'name', 'v', 'key', 'sessionId', 'sdk'), hostileValue, { maxKeys: 8 }), fc.constantFrom<Encoding>('msgpack', 'json'))
    .map(([value, encoding]) => ({ encoding, bytes: encodeValue(value, encoding), value })),
  fc.tuple(fc.uint8Array({ maxLength: 256 }), fc.constantFrom<Encoding>('msgpack', 'json')).map(([bytes, encoding]) => ({ encoding, bytes })),
)

/** Every map key of a value, at any depth: error messages may quote field names, never values. */
function keysOf(value: Value, into = new Set<string>(), depth = 0): Set<string> {
  if (depth > 64 || value === null || typeof value !== 'object') return into
  for (const [k, v] of Object.entries(value)) {
    into.add(k)
    keysOf(v, into, depth + 1)
  }
  return into
}

const lenient = new Unpackr({ useRecords: false, mapsAsObjects: true })

/** The input as a lenient reader sees it (a mutation may have turned a value into a key). */
function leniently(input: FuzzCase): Value {
  if ('value' in input) return input.value
  try {
    return input.encoding === 'json' ? JSON.parse(Buffer.from(input.bytes).toString('utf8')) : lenient.unpack(input.bytes)
  } catch {
    return undefined
  }
}

/** The secret or personal strings a message quotes that are not part of a field name of the input. */
export function echoedSecrets(message: string, input: FuzzCase): string[] {
  const keys = [...keysOf(leniently(input))]
  return secretValues.filter((secret) => message.includes(secret) && !keys.some((k) => k.includes(secret)))
}
