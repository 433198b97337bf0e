// Fuzzing the rtcstats import's reader (rtcstats/dump-decoder.ts) on mutated real dumps from
// test/fixtures/rtcstats: characters changed, lines cut, duplicated, dropped, swapped in,
// hostile values at each element of a line and in the reports of getstats lines, format-3
// headers, BOMs and CRLFs. A dump is read to its end with every bad line skipped and reported
// as an RtcstatsLineError (line number and a problem from the closed set, never its content),
// or refused whole with an RtcstatsDumpError; what it yields is well-formed, and the frames
// the importer builds from it are valid wire frames.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { callContextFor, eventFrameOf, lineProblems, readDump, RtcstatsDumpError, RtcstatsLineError, statsFramesOf, type DecodedDump } from '../rtcstats/index.ts'
import { peerConnectionEvents } from '../rtcstats/dump-decoder.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'
import { fixturesDir } from './support/captures.ts'
import { fuzzParameters, hostileValue, jsonText } from './support/fuzz-frames.ts'

const dumpsDir = join(fixturesDir, 'rtcstats')
const dumps = readdirSync(dumpsDir).filter((f) => f.endsWith('.jsonl')).sort().map((name) => readFileSync(join(dumpsDir, name), 'utf8').split('\n').filter(Boolean))
const problems = new Set<string>(Object.values(lineProblems))
const eventNames = new Set<string>(Object.values(peerConnectionEvents))

type LineEdit =
  | { kind: 'chars'; line: number; at: number; text: string }
  | { kind: 'cut'; line: number; at: number }
  | { kind: 'duplicateLine'; line: number; to: number }
  | { kind: 'dropLine'; line: number }
  | { kind: 'insertLine'; at: number; text: string }
  | { kind: 'element'; line: number; index: number; value: unknown }
  | { kind: 'reportField'; line: number; report: number; field: string; value: unknown }

const lineText = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.tuple(fc.constantFrom('getstats', 'getStats', 'create', 'close', 'identity', 'connectionInfo', 'onconnectionstatechange', 'g', '1', '39', 1, 24), hostileValue, hostileValue, hostileValue).map((line) => jsonText(line)),
  fc.string({ unit: 'binary', maxLength: 60 }),
)
const lineEdit: fc.Arbitrary<LineEdit> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('chars' as const), line: fc.nat(), at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 4 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('cut' as const), line: fc.nat(), at: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('duplicateLine' as const), line: fc.nat(), to: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('dropLine' as const), line: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('insertLine' as const), at: fc.nat(), text: lineText }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('element' as const), line: fc.nat(), index: fc.nat(4), value: hostileValue }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('reportField' as const),
      line: fc.nat(),
      report: fc.nat(),
      field: fc.constantFrom('id', 'type', 'timestamp', 'kind', 'ssrc', 'packetsReceived', 'bytesReceived', 'mimeType', 'codecId', 'currentRoundTripTime', 'selectedCandidatePairId', 'address', '__proto__'),
      value: hostileValue,
    }),
    weight: 3,
  },
)

function applyLineEdit(lines: string[], e: LineEdit): void {
  const pick = (i: number) => i % lines.length
  if (e.kind === 'insertLine') return void lines.splice(e.at % (lines.length + 1), 0, e.text)
  if (lines.length === 0) return
  const i = pick(e.line)
  const text = lines[i]!
  switch (e.kind) {
    case 'chars': {
      const at = e.at % (text.length + 1)
      lines[i] = text.slice(0, at) + e.text + text.slice(at + 1)
      return
    }
    case 'cut':
      lines[i] = text.slice(0, e.at % (text.length + 1))
      return
    case 'duplicateLine':
      lines.splice(e.to % (lines.length + 1), 0, text)
      return
    case 'dropLine':
      lines.splice(i, 1)
      return
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return
  }
  if (!Array.isArray(parsed)) return
  if (e.kind === 'element') parsed[e.index] = e.value
  else {
    const payload = parsed[2]
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return
    const ids = Object.keys(payload)
    const report = ids.length === 0 ? undefined : (payload as Record<string, unknown>)[ids[e.report % ids.length]!]
    if (report === null || typeof report !== 'object') return
    Object.defineProperty(report, e.field, { value: e.value, enumerable: true, writable: true, configurable: true })
  }
  lines[i] = jsonText(parsed)
}

/** A window of a real dump with edits, as one text (format-3 header, BOM or CRLF line ends sometimes). */
const mutatedDump = fc
  .record({
    dump: fc.nat(dumps.length - 1),
    start: fc.nat(),
    length: fc.integer({ min: 1, max: 60 }),
    edits: fc.array(lineEdit, { maxLength: 5 }),
    framing: fc.constantFrom('plain', 'plain', 'format3', 'bom', 'crlf'),
  })
  .map(({ dump, start, length, edits, framing }) => {
    const all = dumps[dump]!
    // Keep the identity lines at the top half of the time: they decide the call context.
    const from = start % 2 === 0 ? 0 : start % all.length
    const lines = all.slice(from, from + length)
    for (const e of edits) applyLineEdit(lines, e)
    if (framing === 'format3') lines.unshift('RTCStatsDump', '{"statsFormat":"chrome_standard"}')
    const text = lines.join(framing === 'crlf' ? '\r\n' : '\n')
    return framing === 'bom' ? `\uFEFF${text}` : text
  })

const randomDump = fc.oneof(
  fc.array(lineText, { maxLength: 60 }).map((lines) => lines.join('\n')),
  fc.string({ unit: 'binary', maxLength: 2000 }),
)

function expectWellFormedDump(dump: DecodedDump): void {
  const { report } = dump
  expect(report.errors.length).toBeLessThanOrEqual(Math.min(20, report.skippedLines))
  for (const error of report.errors) {
    expect(error).toBeInstanceOf(RtcstatsLineError)
    expect(error.code).toBe('CALLMASK_ERR_RTCSTATS_LINE')
    expect(problems.has(error.problem)).toBe(true)
    expect(error.message).toBe(`line ${error.line} ${error.problem}; skipped`)
    expect(error.line).toBeLessThanOrEqual(report.lines)
  }
  for (const [pcId, trace] of dump.peerConnections) {
    const call = callContextFor(pcId, dump.identity)
    for (const snapshot of trace.snapshots) {
      expect(Number.isFinite(snapshot.ts) && snapshot.ts > 0).toBe(true)
      for (const [id, r] of snapshot.reports) expect(r.id).toBe(id)
      // What the importer sends for it: valid stats frames.
      for (const { ts, reports } of statsFramesOf(snapshot, 0)) {
        const result = validateClientFrame({ type: 'stats', seq: 1, ts, call, reports })
        expect(result.ok ? 'valid' : result.message).toBe('valid')
      }
    }
    for (const event of trace.events) {
      expect(eventNames.has(event.name)).toBe(true)
      expect(Number.isFinite(event.ts)).toBe(true)
      if (event.state !== undefined) expect(event.state.length).toBeGreaterThan(0)
      const wire = eventFrameOf(event, 0)
      if (wire && wire.ts >= 0) {
        const result = validateClientFrame({ type: 'event', seq: 1, call, ...wire })
        expect(result.ok ? 'valid' : result.message).toBe('valid')
      }
    }
  }
}

async function expectTypedRead(text: string): Promise<'read' | 'refused'> {
  let dump: DecodedDump
  try {
    dump = await readDump(Readable.from([text]))
  } catch (error) {
    expect(error).toBeInstanceOf(RtcstatsDumpError)
    expect((error as RtcstatsDumpError).code).toBe('CALLMASK_ERR_RTCSTATS_DUMP')
    expect((error as Error).message).toMatch(/^(the dump is empty|this is not an rtcstats dump: none of (its first 50 lines|its lines) is a JSON array \[method, pcId, payload, timestamp\])$/)
    return 'refused'
  }
  expectWellFormedDump(dump)
  return 'read'
}

describe('fuzzing the rtcstats reader', () => {
  it('mutated real dumps: read with typed line errors, or refused whole; what is read makes valid frames', async () => {
    const outcomes = { read: 0, refused: 0 }
    await fc.assert(
      fc.asyncProperty(mutatedDump, async (text) => {
        outcomes[await expectTypedRead(text)]++
      }),
      fuzzParameters(600, { async: true }),
    )
    expect(outcomes.read).toBeGreaterThan(0)
  })

  it('random lines and random text: read with typed line errors, or refused whole', async () => {
    await fc.assert(fc.asyncProperty(randomDump, async (text) => void (await expectTypedRead(text))), fuzzParameters(500, { async: true }))
  })
})
