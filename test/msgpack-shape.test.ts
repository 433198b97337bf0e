// The tight shape walk (lib/msgpack-shape.ts) against the straightforward one it replaced
// (test/support/msgpack-shape-reference.ts): the same verdict, word for word, on random
// JSON-like values, random bytes and mutated real capture frames, under the default limits
// and small ones (which exercise the depth limit and the capped element counts). Seeded.
import fc from 'fast-check'
import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { buildSessionFrames } from '../bench/bench-frames.ts'
import { defaultShapeLimits, msgpackShapeProblem, type ShapeLimits } from '../lib/msgpack-shape.ts'
import { msgpackShapeProblem as referenceShapeProblem } from './support/msgpack-shape-reference.ts'

const packr = new Packr({ useRecords: false })
const realFrames = (() => {
  const frames = buildSessionFrames(0)
  return frames.templates.map((_, i) => frames.frame(i + 1, 1_700_000_000_000 + i))
})()
const limitsSets: ShapeLimits[] = [defaultShapeLimits, { maxDepth: 3, maxElements: 40 }, { maxDepth: 1, maxElements: 3 }]
const params = { seed: 1303, numRuns: 400 }

function entriesOf(walk: typeof msgpackShapeProblem, bytes: Uint8Array, limits: ShapeLimits) {
  const entries: number[][] = []
  const problem = walk(bytes, limits, (...range) => entries.push(range))
  return { problem, entries }
}

function expectSameVerdict(bytes: Uint8Array): void {
  for (const limits of limitsSets) {
    expect(entriesOf(msgpackShapeProblem, bytes, limits)).toEqual(entriesOf(referenceShapeProblem, bytes, limits))
  }
}

describe('msgpack shape walk', () => {
  it('admits real capture frames and reports their top-level entries', () => {
    for (const bytes of realFrames) {
      const { problem, entries } = entriesOf(msgpackShapeProblem, bytes, defaultShapeLimits)
      expect(problem).toBeUndefined()
      expect(entries.length).toBeGreaterThanOrEqual(5) // type, seq, ts, call, reports
      expect(entries.at(-1)![3]).toBe(bytes.length)
    }
  })

  it('gives the reference verdict on random JSON-like values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => expectSameVerdict(packr.pack(value))), params)
  })

  it('gives the reference verdict on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => expectSameVerdict(bytes)), { ...params, numRuns: 2000 })
  })

  it('gives the reference verdict on mutated real frames (flipped, cut and inserted bytes)', () => {
    const mutation = fc.record({
      frame: fc.nat(realFrames.length - 1),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      cut: fc.option(fc.nat()),
      insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 5 }))),
    })
    let refused = 0
    fc.assert(fc.property(mutation, ({ frame, flips, cut, insert }) => {
      let bytes: Uint8Array = Uint8Array.from(realFrames[frame]!)
      for (const [at, value] of flips) bytes[at % bytes.length] = value
      if (insert) {
        const at = insert[0] % bytes.length
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...insert[1], ...bytes.subarray(at)])
      }
      if (cut !== null) bytes = bytes.subarray(0, cut % bytes.length)
      if (referenceShapeProblem(bytes) !== undefined) refused++
      expectSameVerdict(bytes)
    }), params)
    // The mutations did produce refusals, so the comparison covered the error paths.
    expect(refused).toBeGreaterThan(params.numRuns / 4)
  })

  // Random bytes rarely open containers, and mutated frames never declare huge counts: here
  // values are strung together from msgpack headers (counts and lengths near 2^15, 2^16, 2^30,
  // 2^31 and 2^32, lengths beyond the buffer, empty containers) under limits that sit on the
  // caps (maxDepth 0-6, maxElements 0-50 and near 2^16 and 2^30), with and without the callback.
  it('gives the reference verdict on strung msgpack headers under limits at their edges', () => {
    const bigEndian = (n: number, bytes: number) => Array.from({ length: bytes }, (_, i) => Math.floor(n / 2 ** (8 * (bytes - 1 - i))) & 0xff)
    const edgeCounts = [0, 1, 2, 15, 16, 0x7fff, 0xffff, 2 ** 30 - 1, 2 ** 30, 2 ** 30 + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1]
    const header = fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((byte) => [byte]),
      fc.integer({ min: 0, max: 15 }).map((n) => [0x80 | n]),
      fc.integer({ min: 0, max: 15 }).map((n) => [0x90 | n]),
      fc.integer({ min: 0, max: 31 }).map((n) => [0xa0 | n, ...Array<number>(n).fill(0x6b)]),
      fc.constant([0xa1, 0x6b]),
      fc.tuple(fc.constantFrom(0xda, 0xdc, 0xde), fc.oneof(fc.constantFrom(...edgeCounts.filter((n) => n <= 0xffff)), fc.integer({ min: 0, max: 0xffff }))).map(([byte, n]) => [byte, ...bigEndian(n, 2)]),
      fc.tuple(fc.constantFrom(0xdb, 0xdd, 0xdf), fc.oneof(fc.constantFrom(...edgeCounts), fc.integer({ min: 0, max: 40 }))).map(([byte, n]) => [byte, ...bigEndian(n, 4)]),
      fc.integer({ min: 0, max: 255 }).map((n) => [0xd9, n]),
      fc.constantFrom([0xc0], [0xc3], [0xcc, 1], [0xd1, 1, 2], [0xce, 1, 2, 3, 4], [0xcf, 1, 2, 3, 4, 5, 6, 7, 8], [0xcb, 1, 2, 3, 4, 5, 6, 7, 8]),
    )
    const bytes = fc.array(header, { maxLength: 40 }).map((headers) => Uint8Array.from(headers.flat()))
    const limits = fc.record({
      maxDepth: fc.integer({ min: 0, max: 6 }),
      maxElements: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constantFrom(0xffff, 0x10000, defaultShapeLimits.maxElements, 2 ** 30 - 2, 2 ** 30 - 1)),
    })
    let admitted = 0
    fc.assert(fc.property(bytes, limits, fc.boolean(), (value, limit, report) => {
      const verdict = (walk: typeof msgpackShapeProblem) => (report ? entriesOf(walk, value, limit) : { problem: walk(value, limit), entries: [] })
      const ours = verdict(msgpackShapeProblem)
      expect(ours).toEqual(verdict(referenceShapeProblem))
      if (ours.problem === undefined) admitted++
    }), { seed: 1303, numRuns: 20_000 })
    expect(admitted).toBeGreaterThan(200) // admitted values were compared too, not only refusals
  })

  it('gives the reference verdict at the deepest limit (1024) and one level past it', () => {
    const limits = { maxDepth: 1024, maxElements: defaultShapeLimits.maxElements }
    for (const depth of [1023, 1024, 1025]) {
      for (const innermost of [[0xc0], [0x90], [0x80]]) {
        const arrays = Uint8Array.from([...Array<number>(depth).fill(0x91), ...innermost])
        const maps = Uint8Array.from([...Array.from({ length: depth }, () => [0x81, 0xa1, 0x6b]).flat(), ...innermost])
        for (const value of [arrays, maps]) expect(entriesOf(msgpackShapeProblem, value, limits)).toEqual(entriesOf(referenceShapeProblem, value, limits))
      }
    }
    expect(msgpackShapeProblem(Uint8Array.from([...Array<number>(1025).fill(0x91), 0xc0]), limits)).toBe('the frame nests deeper than 1024 levels')
  })

  it('refuses a declared count beyond any limit without reading it all', () => {
    // A map declaring 2^32 - 1 entries in six bytes: refused as truncated, like the reference.
    const bytes = Uint8Array.from([0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1])
    expect(msgpackShapeProblem(bytes)).toBe('the msgpack value is truncated')
    expectSameVerdict(bytes)
    expect(() => msgpackShapeProblem(bytes, { maxDepth: 4, maxElements: 2 ** 31 })).toThrow(RangeError)
  })

  it('refuses limits it cannot honour, and a walk started from inside its own callback', () => {
    const frame = realFrames[0]!
    for (const limits of [{ maxDepth: Number.NaN, maxElements: 10 }, { maxDepth: Infinity, maxElements: 10 }, { maxDepth: -1, maxElements: 10 }, { maxDepth: 4, maxElements: 1.5 }]) {
      expect(() => msgpackShapeProblem(frame, limits)).toThrow(RangeError)
    }
    expect(() => msgpackShapeProblem(frame, defaultShapeLimits, () => msgpackShapeProblem(frame))).toThrow(/not re-entrant/)
    // The guard is released after a callback that threw: the next walk works.
    expect(msgpackShapeProblem(frame, defaultShapeLimits, () => {})).toBeUndefined()
  })
})
